/* params_json: the model's values as a standard CloudFormation parameters
 * file ([{"ParameterKey": ..., "ParameterValue": ...}], as `aws
 * cloudformation create-stack --parameters file://...` reads) and back. */
#ifndef LMSCTL_MODEL_PARAMS_JSON_H
#define LMSCTL_MODEL_PARAMS_JSON_H

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/model.h"

/* Every template parameter with the value lmsctl uses, in catalog order. */
bool params_json_export(const catalog *cat, const model *m, buf *out);

/* Reads `len` bytes of a parameters file and sets each value on `m`. Every
 * key must be a template parameter; nothing is set unless the whole file is
 * valid. Errors name the file, line and column. */
bool params_json_import(const catalog *cat, model *m, const char *path, const char *text,
                        size_t len, lms_error *err);

#endif
