/* The stack-status classifier (ops/status.h). */
#include "ops/status.h"

#include "common/str.h"
#include "model/rules_registry.h"

#include <stddef.h>
#include <string.h>

/* Every stack status of the API reference's StackStatus enumeration. */
static const struct {
	const char *status;
	ops_stack_class cls;
} documented[] = {
    {"CREATE_IN_PROGRESS", OPS_STACK_RUNNING},
    {"CREATE_FAILED", OPS_STACK_FAILED},
    {"CREATE_COMPLETE", OPS_STACK_SUCCEEDED},
    {"ROLLBACK_IN_PROGRESS", OPS_STACK_ROLLING_BACK},
    {"ROLLBACK_FAILED", OPS_STACK_FAILED},
    {"ROLLBACK_COMPLETE", OPS_STACK_ROLLED_BACK},
    {"DELETE_IN_PROGRESS", OPS_STACK_RUNNING},
    {"DELETE_FAILED", OPS_STACK_FAILED},
    {"DELETE_COMPLETE", OPS_STACK_DELETED},
    {"UPDATE_IN_PROGRESS", OPS_STACK_RUNNING},
    {"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", OPS_STACK_RUNNING},
    {"UPDATE_COMPLETE", OPS_STACK_SUCCEEDED},
    {"UPDATE_FAILED", OPS_STACK_FAILED},
    {"UPDATE_ROLLBACK_IN_PROGRESS", OPS_STACK_ROLLING_BACK},
    {"UPDATE_ROLLBACK_FAILED", OPS_STACK_FAILED},
    {"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", OPS_STACK_ROLLING_BACK},
    {"UPDATE_ROLLBACK_COMPLETE", OPS_STACK_ROLLED_BACK},
    {"REVIEW_IN_PROGRESS", OPS_STACK_REVIEW},
    {"IMPORT_IN_PROGRESS", OPS_STACK_RUNNING},
    {"IMPORT_COMPLETE", OPS_STACK_SUCCEEDED},
    {"IMPORT_ROLLBACK_IN_PROGRESS", OPS_STACK_ROLLING_BACK},
    {"IMPORT_ROLLBACK_FAILED", OPS_STACK_FAILED},
    {"IMPORT_ROLLBACK_COMPLETE", OPS_STACK_ROLLED_BACK},
};

ops_stack_class ops_status_class(const char *status)
{
	if (!status || !*status)
		return OPS_STACK_UNKNOWN;
	for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
		if (strcmp(status, documented[i].status) == 0)
			return documented[i].cls;
	/* a status added after this list: its suffix says enough */
	bool rollback = strstr(status, "ROLLBACK") != NULL;
	if (lms_ends_with(status, "_IN_PROGRESS"))
		return rollback ? OPS_STACK_ROLLING_BACK : OPS_STACK_RUNNING;
	if (lms_ends_with(status, "_FAILED"))
		return OPS_STACK_FAILED;
	if (lms_ends_with(status, "_COMPLETE"))
		return rollback ? OPS_STACK_ROLLED_BACK : OPS_STACK_SUCCEEDED;
	return OPS_STACK_UNKNOWN;
}

bool ops_status_in_progress(const char *status)
{
	ops_stack_class c = ops_status_class(status);
	return c == OPS_STACK_RUNNING || c == OPS_STACK_ROLLING_BACK;
}

bool ops_status_settled(const char *status)
{
	return status && !ops_status_in_progress(status);
}

bool ops_status_failed(const char *status)
{
	ops_stack_class c = ops_status_class(status);
	return c == OPS_STACK_ROLLING_BACK || c == OPS_STACK_ROLLED_BACK || c == OPS_STACK_FAILED;
}

bool ops_status_succeeded(const char *status)
{
	return ops_status_class(status) == OPS_STACK_SUCCEEDED;
}

bool ops_event_status_failed(const char *status)
{
	return status && lms_ends_with(status, "_FAILED");
}

ops_gate ops_deploy_gate(const char *status)
{
	if (!status)
		return OPS_GATE_CREATE;
	if (strcmp(status, "ROLLBACK_COMPLETE") == 0 || strcmp(status, "ROLLBACK_FAILED") == 0)
		return OPS_GATE_DELETE_FIRST;
	if (strcmp(status, "UPDATE_ROLLBACK_FAILED") == 0)
		return OPS_GATE_CONTINUE_ROLLBACK;
	if (strcmp(status, "DELETE_FAILED") == 0)
		return OPS_GATE_DELETE_FAILED;
	switch (ops_status_class(status)) {
	case OPS_STACK_REVIEW:
		return OPS_GATE_CREATE;
	case OPS_STACK_RUNNING:
	case OPS_STACK_ROLLING_BACK:
		return OPS_GATE_BUSY;
	default:
		return OPS_GATE_UPDATE;
	}
}

bool ops_finding_stops_deploy(const finding *f, const char *environment, bool allow_plain_http)
{
	if (f->sev == SEV_ERROR)
		return true;
	if (!environment || strcmp(environment, "prod") != 0 || !rules_gates_prod_deploy(f->rule))
		return false;
	return !allow_plain_http || strcmp(f->rule, "SEC001") != 0;
}
