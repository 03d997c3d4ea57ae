/* SPDX-License-Identifier: MIT */
/* s7plus info HOST[:PORT]: the CPU's identity as a table or JSON. */
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

static const char usage[] =
    "usage: s7plus info HOST[:PORT] [options]\n"
    "Connects (TLS 1.3 by default, see --security) and prints what the CPU reports about\n"
    "itself, the security mode of the session, and the SHA-256 fingerprint of its\n"
    "certificate (for --pin, or to check a known-hosts entry) or the legacy key used.\n";

typedef struct {
    const char *key, *label;
    const char *value;
} field;

static void print_table(const s7p_cpu_info *i, const char *endpoint, unsigned level)
{
    char lvl[16];
    snprintf(lvl, sizeof lvl, "%u", level);
    const field rows[] = {
        {"endpoint", "Endpoint", endpoint},         {"plc_name", "PLC name", i->plc_name},
        {"order_number", "Order number", i->order_number},
        {"firmware", "Firmware", i->firmware},      {"serial_number", "Serial number", i->serial_number},
        {"hardware_revision", "Hardware revision", i->hardware_revision},
        {"project_name", "Project", i->project_name}, {"tia_version", "TIA version", i->tia_version},
        {"paom", "Session version", i->paom},       {"protection_level", "Protection level", lvl},
        {"security", "Security", i->security},      {"legacy_key", "Legacy key", i->legacy_key},
        {"tls_cipher", "TLS", i->tls_cipher},       {"cert_sha256", "Certificate SHA-256", i->cert_sha256},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        if (rows[r].value[0]) printf("%-20s %s\n", rows[r].label, rows[r].value);
}

static int print_json(const s7p_cpu_info *i, const char *endpoint)
{
    return cli_print_json(json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "endpoint",
        endpoint, "plc_name", i->plc_name, "order_number", i->order_number, "firmware",
        i->firmware, "serial_number", i->serial_number, "hardware_revision",
        i->hardware_revision, "project_name", i->project_name, "tia_version", i->tia_version,
        "paom", i->paom, "protection_level", (int)i->protection_level, "tls_cipher",
        i->tls_cipher, "cert_sha256", i->cert_sha256, "security", i->security, "legacy_key",
        i->legacy_key));
}

static s7p_status fetch_info(s7p_client *cl, void *info, s7p_error *err)
{
    return s7p_get_cpu_info(cl, info, err);
}

int cmd_info(int argc, char **argv)
{
    cli_common c;
    s7p_cpu_info info;
    int rc = cli_fetch_once(argc, argv, &c, usage, fetch_info, &info);
    if (rc != CLI_OK) return rc;
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, "%s:%u", c.host, c.opt.port);
    if (c.json) return print_json(&info, endpoint);
    print_table(&info, endpoint, info.protection_level);
    return CLI_OK;
}
