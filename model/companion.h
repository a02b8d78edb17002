/* companion: the model of a companion stack (catalog.yml `Companions:`, e.g.
 * the edge stack in us-east-1), derived from the main stack's model. */
#ifndef LMSCTL_MODEL_COMPANION_H
#define LMSCTL_MODEL_COMPANION_H

#include "common/error.h"
#include "model/catalog.h"
#include "model/model.h"

/* Stack `<main stack>-<name>` in the companion's Region, the main model's
 * environment and suffix, every other parameter at its profile value,
 * except each LmsCtl::FromStackOutputs parameter: the main stack's output
 * as the main model resolves it (render). An output that needs AWS (a
 * resource's Ref or GetAtt) or that the model does not create (its
 * condition is false) leaves the parameter's Default, a placeholder. */
model *companion_model(const catalog *main_cat, const model *main_m, const cat_companion *comp,
                       const catalog *comp_cat, lms_error *err);

#endif
