/* Network rules: CIDR arithmetic, availability zones, NAT gateways. */
#include "common/num.h"
#include "model/rules.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rule_value(const validate_ctx *ctx, const char *param)
{
	return model_param_value(ctx->m, ctx->cat, param);
}

bool rule_long(const validate_ctx *ctx, const char *param, long *out)
{
	const char *v = rule_value(ctx, param);
	return lms_parse_long(v, LONG_MIN, LONG_MAX, out);
}

void rule_at(const validate_ctx *ctx, const cat_entry *e, const ynode *n)
{
	const ynode *where = n ? n : e->key;
	findings_set_position(ctx->out, ctx->out->n - 1, e->frag->path, where->start.line,
	                      where->start.col);
}

const char *rule_param_of(const validate_ctx *ctx, const rnode *n)
{
	return ctx->r ? rnode_param(ctx->r, n) : NULL;
}

const rnode *rule_prop(const rnode *map, const char *key, const ynode **at)
{
	const rnode *v = rnode_get(map, key);
	if (at) {
		const ynode *src = map && map->src && map->src->kind == YNODE_MAP && !map->src->tag
		                       ? ynode_get(map->src, key)
		                       : NULL;
		*at = src ? src : v ? v->src : NULL;
	}
	return v;
}

const char *rule_env(const validate_ctx *ctx)
{
	const char *env = model_get(ctx->m, "environment");
	return env ? env : "dev";
}

static bool parse_octet(const char **p, unsigned max, unsigned *out)
{
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return false;
	unsigned v = 0;
	size_t n = 0;
	while (*s >= '0' && *s <= '9' && n < 4) {
		v = v * 10 + (unsigned)(*s - '0');
		s++;
		n++;
	}
	if (n == 0 || n > 3 || v > max || (n > 1 && **p == '0'))
		return false;
	*out = v;
	*p = s;
	return true;
}

bool cidr4_parse(const char *s, cidr4 *out, bool *host_bits_zero)
{
	uint32_t addr = 0;
	for (int i = 0; i < 4; i++) {
		unsigned o;
		if (!parse_octet(&s, 255, &o))
			return false;
		addr = (addr << 8) | o;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s++ != '/')
		return false;
	unsigned prefix;
	if (!parse_octet(&s, 32, &prefix) || *s)
		return false;
	uint32_t mask = prefix ? 0xFFFFFFFFu << (32 - prefix) : 0;
	if (host_bits_zero)
		*host_bits_zero = (addr & ~mask) == 0;
	out->addr = addr & mask;
	out->prefix = prefix;
	return true;
}

bool cidr4_contains(cidr4 outer, cidr4 inner)
{
	if (inner.prefix < outer.prefix)
		return false;
	uint32_t mask = outer.prefix ? 0xFFFFFFFFu << (32 - outer.prefix) : 0;
	return (inner.addr & mask) == outer.addr;
}

bool cidr4_overlap(cidr4 a, cidr4 b)
{
	return cidr4_contains(a, b) || cidr4_contains(b, a);
}

uint64_t cidr4_size(cidr4 c)
{
	return (uint64_t)1 << (32 - c.prefix);
}

typedef struct subnet_list {
	const char *param;
	const char *tier;
	cidr4 blocks[8];
	size_t n;
	bool ok;
} subnet_list;

/* AWS reserves five addresses in every subnet. */
#define AWS_RESERVED_PER_SUBNET 5
/* Interface endpoints (7), rotation Lambdas, the VPC link and headroom for a
 * rolling deployment's second task set: the addresses an app subnet needs
 * besides one per task. */
#define APP_SUBNET_FIXED_ADDRESSES 32

static void check_list(const validate_ctx *ctx, subnet_list *l, cidr4 vpc, bool vpc_ok, long azs)
{
	const char *v = rule_value(ctx, l->param);
	l->ok = false;
	l->n = 0;
	if (!v)
		return;
	char *copy = strdup(v);
	if (!copy)
		return;
	bool ok = true;
	char *s = copy;
	for (;;) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		cidr4 c;
		bool zero;
		if (!cidr4_parse(s, &c, &zero)) {
			findings_add(ctx->out, "NET001", SEV_ERROR, l->param,
			             "write each block as a.b.c.d/n, separated by commas",
			             "'%s' is not an IPv4 CIDR block", s);
			ok = false;
		} else if (!zero) {
			findings_add(ctx->out, "NET001", SEV_ERROR, l->param, NULL,
			             "%s has host bits set; the network address is %u.%u.%u.%u/%u",
			             s, c.addr >> 24, (c.addr >> 16) & 255, (c.addr >> 8) & 255,
			             c.addr & 255, c.prefix);
			ok = false;
		} else if (c.prefix < 16 || c.prefix > 28) {
			findings_add(ctx->out, "NET004", SEV_ERROR, l->param,
			             "AWS subnets are /16 to /28", "subnet %s has a /%u prefix", s,
			             c.prefix);
			ok = false;
		} else if (vpc_ok && !cidr4_contains(vpc, c)) {
			findings_add(
			    ctx->out, "NET002", SEV_ERROR, l->param, "choose blocks inside VpcCidr",
			    "subnet %s is not inside the VPC %s", s, rule_value(ctx, "VpcCidr"));
			ok = false;
		} else if (l->n < sizeof(l->blocks) / sizeof(l->blocks[0])) {
			l->blocks[l->n++] = c;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	free(copy);
	if (ok && (long)l->n < azs)
		findings_add(
		    ctx->out, "NET001", SEV_ERROR, l->param, "give one block per availability zone",
		    "%zu %s subnet block(s) for %ld availability zones", l->n, l->tier, azs);
	l->ok = ok;
}

void rule_cidrs(const validate_ctx *ctx)
{
	cidr4 vpc = {0, 0};
	bool zero = false;
	const char *vpc_text = rule_value(ctx, "VpcCidr");
	bool vpc_ok = vpc_text && cidr4_parse(vpc_text, &vpc, &zero) && zero;
	if (vpc_text && !vpc_ok)
		findings_add(ctx->out, "NET001", SEV_ERROR, "VpcCidr",
		             "write the network address, e.g. 10.40.0.0/16",
		             "'%s' is not an IPv4 network block", vpc_text);
	else if (vpc_ok && (vpc.prefix < 16 || vpc.prefix > 28)) {
		findings_add(ctx->out, "NET004", SEV_ERROR, "VpcCidr", "AWS VPCs are /16 to /28",
		             "the VPC block has a /%u prefix", vpc.prefix);
		vpc_ok = false;
	}
	long azs = 3;
	rule_long(ctx, "AvailabilityZoneCount", &azs);
	subnet_list lists[] = {{"PublicSubnetCidrs", "public", {{0, 0}}, 0, false},
	                       {"AppSubnetCidrs", "app", {{0, 0}}, 0, false},
	                       {"DataSubnetCidrs", "data", {{0, 0}}, 0, false}};
	size_t nlists = sizeof(lists) / sizeof(lists[0]);
	for (size_t i = 0; i < nlists; i++)
		check_list(ctx, &lists[i], vpc, vpc_ok, azs);
	/* overlap between every pair of blocks in use (the first `azs` of each) */
	for (size_t i = 0; i < nlists; i++) {
		for (size_t a = 0; a < lists[i].n && (long)a < azs; a++) {
			for (size_t j = i; j < nlists; j++) {
				for (size_t b = (j == i ? a + 1 : 0);
				     b < lists[j].n && (long)b < azs; b++) {
					if (!cidr4_overlap(lists[i].blocks[a], lists[j].blocks[b]))
						continue;
					findings_add(ctx->out, "NET003", SEV_ERROR, lists[j].param,
					             "give every subnet its own block",
					             "%s subnet %zu overlaps %s subnet %zu",
					             lists[j].tier, b + 1, lists[i].tier, a + 1);
				}
			}
		}
	}
	/* enough addresses: app subnets hold a task ENI each, spread over the AZs */
	long max_tasks = 0;
	if (lists[1].ok && rule_long(ctx, "ServiceMaxTasks", &max_tasks) && max_tasks >= 0 &&
	    azs > 0) {
		/* unsigned: an absurd count (a PRM finding of its own) gives an
		 * absurd need, not an overflow */
		uint64_t tasks = (uint64_t)max_tasks, zones = (uint64_t)azs;
		uint64_t per_az = (tasks + zones - 1) / zones;
		/* losing an AZ puts its tasks in the others */
		if (zones > 1)
			per_az = (tasks + zones - 2) / (zones - 1);
		uint64_t need = per_az + APP_SUBNET_FIXED_ADDRESSES;
		for (size_t a = 0; a < lists[1].n && (long)a < azs; a++) {
			uint64_t usable = cidr4_size(lists[1].blocks[a]) - AWS_RESERVED_PER_SUBNET;
			if (usable < need)
				findings_add(
				    ctx->out, "NET004", SEV_ERROR, "AppSubnetCidrs",
				    "use a larger block (a /20 holds 4,091 addresses)",
				    "app subnet %zu has %llu usable addresses; %llu are needed "
				    "(%ld tasks over %ld AZs, one AZ lost, plus %d for endpoints "
				    "and Lambdas)",
				    a + 1, (unsigned long long)usable, (unsigned long long)need,
				    max_tasks, azs, APP_SUBNET_FIXED_ADDRESSES);
		}
	}
	for (size_t i = 0; i < nlists; i++) {
		for (size_t a = 0; a < lists[i].n && (long)a < azs; a++) {
			if (cidr4_size(lists[i].blocks[a]) < 16 + AWS_RESERVED_PER_SUBNET)
				findings_add(ctx->out, "NET004", SEV_WARNING, lists[i].param,
				             "use at least a /27",
				             "%s subnet %zu has only %llu usable addresses",
				             lists[i].tier, a + 1,
				             (unsigned long long)(cidr4_size(lists[i].blocks[a]) -
				                                  AWS_RESERVED_PER_SUBNET));
		}
	}
}

void rule_az_count(const validate_ctx *ctx)
{
	long azs;
	if (!rule_long(ctx, "AvailabilityZoneCount", &azs))
		return;
	if (azs < 3 && strcmp(rule_env(ctx), "prod") == 0)
		findings_add(ctx->out, "NET005", SEV_ERROR, "AvailabilityZoneCount",
		             "set AvailabilityZoneCount to 3",
		             "prod runs in %ld availability zones; 99.99%% needs three, so that "
		             "losing one still leaves a majority",
		             azs);
}

void rule_nat(const validate_ctx *ctx)
{
	const char *mode = rule_value(ctx, "NatGatewayMode");
	if (!mode || strcmp(mode, "single") != 0)
		return;
	bool prod = strcmp(rule_env(ctx), "prod") == 0;
	findings_add(ctx->out, "NET006", prod ? SEV_ERROR : SEV_WARNING, "NatGatewayMode",
	             "set NatGatewayMode to per-az",
	             "a single NAT gateway: losing its AZ cuts every app subnet off the internet%s",
	             prod ? "; prod needs one per AZ" : " (acceptable outside prod to save cost)");
}
