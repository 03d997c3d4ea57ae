/* SPDX-License-Identifier: MIT */
/* The id-name table of `s7plus decode`: sorted without duplicates (the lookup is a binary
 * search), every id of proto/ids.h named, and the names of the ids the captures show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/idnames.h"
#include "proto/ids.h"

static void test_sorted_and_unique(void **state)
{
    (void)state;
    size_t n = 0;
    const s7p_id_name_entry *t = s7p_id_names(&n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_true(t[i].name[0] != '\0');
        if (i) assert_true(t[i - 1].id < t[i].id);
        /* every entry is found by the search, not only some */
        assert_ptr_equal(s7p_id_name(t[i].id), t[i].name);
    }
}

static void test_known_names(void **state)
{
    (void)state;
    assert_string_equal(s7p_id_name(S7P_ID_OBJECT_VARIABLE_TYPE_NAME), "ObjectVariableTypeName");
    assert_string_equal(s7p_id_name(S7P_ID_CLASS_SERVER_SESSION), "ClassServerSession");
    assert_string_equal(s7p_id_name(S7P_ID_DB_VALUE_ACTUAL), "DB.ValueActual");
    assert_string_equal(s7p_id_name(S7P_ID_CLASS_SUBSCRIPTIONS), "ClassSubscriptions");
    assert_string_equal(s7p_id_name(S7P_ID_SERVER_SESSION_VERSION), "ServerSessionVersion");
    assert_string_equal(s7p_id_name(S7P_ID_SYSTEM_EVENT_RETURN_VALUE), "ReturnValue");
    assert_string_equal(s7p_id_name(1), "NativeObjects.theASRoot_Rid");
}

static void test_unknown_ids(void **state)
{
    (void)state;
    assert_null(s7p_id_name(0));
    assert_null(s7p_id_name(2));
    assert_null(s7p_id_name(0x8A0E0001u));
    assert_null(s7p_id_name(UINT32_MAX));
}

/* Every object/attribute id the codec and the services use by name has a readable name. */
static void test_ids_h_named(void **state)
{
    (void)state;
    static const uint32_t ids[] = {
        S7P_ID_AS_ROOT, S7P_ID_PLC_PROGRAM, S7P_ID_CPU_PROXY, S7P_ID_CPU_COMMON,
        S7P_ID_CPU_EXEC_UNIT, S7P_ID_I_AREA, S7P_ID_Q_AREA, S7P_ID_M_AREA, S7P_ID_S7_COUNTERS,
        S7P_ID_S7_TIMERS, S7P_ID_OBJECT_ROOT, S7P_ID_GET_NEW_RID_ON_SERVER,
        S7P_ID_OBJECT_VARIABLE_TYPE_NAME, S7P_ID_CLASS_SUBSCRIPTIONS,
        S7P_ID_OBJECT_SERVER_SESSION_CONTAINER, S7P_ID_CLASS_SERVER_SESSION,
        S7P_ID_OBJECT_NULL_SERVER_SESSION, S7P_ID_SERVER_SESSION_CLIENT_RID,
        S7P_ID_SERVER_SESSION_CHALLENGE, S7P_ID_SERVER_SESSION_VERSION,
        S7P_ID_SESSION_VERSION_STRUCT, S7P_ID_SYSTEM_PAOM_STRING,
        S7P_ID_OBJECT_OMS_TYPE_INFO_CONTAINER, S7P_ID_SYSTEM_LIMITS, S7P_ID_FREE_ITEMS,
        S7P_ID_OBJECT_QUALIFIER, S7P_ID_PARENT_RID, S7P_ID_COMPOSITION_AID,
        S7P_ID_KEY_QUALIFIER, S7P_ID_EFFECTIVE_PROTECTION_LEVEL, S7P_ID_BLOCK_BLOCK_NUMBER,
        S7P_ID_DB_VALUE_ACTUAL, S7P_ID_DB_CLASS_RID, S7P_ID_CONTROLLER_AREA_VALUE_ACTUAL,
        S7P_ID_SYSTEM_EVENT_STRUCT, S7P_ID_SYSTEM_EVENT_RETURN_VALUE,
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!s7p_id_name(ids[i])) fail_msg("id %u has no name", (unsigned)ids[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_and_unique),
        cmocka_unit_test(test_known_names),
        cmocka_unit_test(test_unknown_ids),
        cmocka_unit_test(test_ids_h_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
