/* SPDX-License-Identifier: MIT */
/* System data types that TIA Portal defines as structures of its own (SDTs) and that an
 * export uses without declaring them: the connection descriptions of open user communication
 * (TCON_IP_v4 of TCON/TSEND_C/MB_CLIENT/MB_SERVER, the older TCON_Param), the address of
 * TUSEND/TURCV (TADDR_Param) and the IPv4 address inside them (IP_V4). Member names, types
 * and order are those of the TIA help; no capture shows how a CPU describes them, so a program
 * that uses one gets it as a PLC data type of that name, parsed from the source text below
 * (docs/protocol.md §7.4). */
#include <string.h>

#include "program/prog_int.h"

typedef struct sdt {
    const char *name;
    const char *text;             /* a TYPE source, as TIA would export it */
} sdt;

#define TYPE(name, members) \
    "TYPE \"" name "\"\nVERSION : 0.1\n   STRUCT\n" members "   END_STRUCT;\nEND_TYPE\n"

static const sdt sdts[] = {
    {"IP_V4", TYPE("IP_V4", "      ADDR : Array[1..4] of Byte;\n")},
    {"TCON_IP_v4", TYPE("TCON_IP_v4",
                        "      InterfaceId : HW_ANY;\n"
                        "      ID : CONN_OUC;\n"
                        "      ConnectionType : Byte;\n"
                        "      ActiveEstablished : Bool;\n"
                        "      RemoteAddress : IP_V4;\n"
                        "      RemotePort : UInt;\n"
                        "      LocalPort : UInt;\n")},
    {"TADDR_Param", TYPE("TADDR_Param",
                         "      REM_IP_ADDR : Array[1..4] of Byte;\n"
                         "      REM_PORT_NR : UInt;\n"
                         "      RESERVED : Word;\n")},
    {"TCON_Param", TYPE("TCON_Param",
                        "      block_length : UInt;\n"
                        "      id : CONN_OUC;\n"
                        "      connection_type : Byte;\n"
                        "      active_est : Bool;\n"
                        "      local_device_id : Byte;\n"
                        "      local_tsap_id_len : Byte;\n"
                        "      rem_subnet_id_len : Byte;\n"
                        "      rem_staddr_len : Byte;\n"
                        "      rem_tsap_id_len : Byte;\n"
                        "      next_staddr_len : Byte;\n"
                        "      local_tsap_id : Array[1..16] of Byte;\n"
                        "      rem_subnet_id : Array[1..6] of Byte;\n"
                        "      rem_staddr : Array[1..6] of Byte;\n"
                        "      rem_tsap_id : Array[1..16] of Byte;\n"
                        "      next_staddr : Array[1..6] of Byte;\n"
                        "      spare : Word;\n")},
};

const char *tia_sdt_find(const char *name, size_t n, const char **canonical)
{
    for (size_t k = 0; k < sizeof sdts / sizeof sdts[0]; k++)
        if (strlen(sdts[k].name) == n && tia_name_eq_n(sdts[k].name, name, n)) {
            *canonical = sdts[k].name;
            return sdts[k].text;
        }
    return NULL;
}
