/* eval: the small part of CloudFormation's intrinsic functions that the
 * validation rules need to read a property's value for a model: plain
 * values, Ref to parameters and pseudo parameters, Fn::If over conditions
 * (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition), Fn::Select over
 * Fn::GetAZs. Anything that needs AWS is "unknown", never a guess.
 * Returned strings belong to the catalog or the model. */
#ifndef LMSCTL_MODEL_EVAL_H
#define LMSCTL_MODEL_EVAL_H

#include "model/catalog.h"
#include "model/model.h"

typedef struct eval_ctx {
	const catalog *cat;
	const model *m;
} eval_ctx;

/* The intrinsic function a node is, in short (`!Ref`) or long (`Ref:`)
 * form: its name without the "Fn::" and its argument; NULL when none. */
const char *eval_fn(const ynode *n, const ynode **arg);

/* A node with Fn::If resolved (recursively); NULL when the condition is
 * unknown or the branch is AWS::NoValue. */
const ynode *eval_pick(const eval_ctx *ctx, const ynode *n);
/* The string a node evaluates to, or NULL when unknown. */
const char *eval_str(const eval_ctx *ctx, const ynode *n);
/* 1 true, 0 false, -1 unknown; for a value (true/false strings). */
int eval_bool(const eval_ctx *ctx, const ynode *n);
/* A long, or false when unknown or not an integer. */
bool eval_long(const eval_ctx *ctx, const ynode *n, long *out);
/* The condition named `name`: 1, 0 or -1 unknown. */
int eval_condition(const eval_ctx *ctx, const char *name);
/* Whether a resource (or output) exists for this model: its Condition. */
int eval_exists(const eval_ctx *ctx, const cat_entry *e);
/* The AZ index of `!Select [i, !GetAZs '']`, or -1. */
long eval_az_index(const eval_ctx *ctx, const ynode *n);

/* The logical id a node refers to: `!Ref X`, `!GetAtt X.Attr` (X) or
 * `!GetAtt [X, Attr]`; NULL otherwise. `attr` gets the attribute if any. */
const char *eval_ref_target(const ynode *n, const char **attr);

#endif
