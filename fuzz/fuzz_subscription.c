/* SPDX-License-Identifier: MIT */
/* Fuzz target: the subscription codec (src/proto/subscription.c) on what a client can send a
 * PLC. The input is decoded twice: as a PValue read as a reference list (AID 1048,
 * s7p_sub_refs_from_value), and as a PObject read as a subscription object
 * (s7p_sub_object_parse). Invariants: an accepted reference list is rebuilt by
 * s7p_sub_refs_to_value into exactly the elements it came from; an accepted object is
 * rebuilt by s7p_sub_object_build into an object that parses to the same parameters. */
#include "fuzz_common.h"

#include "proto/subscription.h"

#define TARGET "fuzz_subscription"

static void check_refs_equal(const s7p_sub_refs *x, const s7p_sub_refs *y, const uint8_t *in,
                             size_t n)
{
    bool same = x->create == y->create && x->change_counter == y->change_counter &&
                x->n_unsubscribe == y->n_unsubscribe && x->n_items == y->n_items;
    for (size_t i = 0; same && i < x->n_unsubscribe; i++)
        same = x->unsubscribe[i] == y->unsubscribe[i];
    for (size_t i = 0; same && i < x->n_items; i++) {
        const s7p_sub_item *a = &x->items[i], *b = &y->items[i];
        same = a->ref == b->ref && a->area == b->area && a->crc == b->crc &&
               a->sub_area == b->sub_area && a->n_lids == b->n_lids;
        for (size_t j = 0; same && j < a->n_lids; j++) same = a->lids[j] == b->lids[j];
    }
    if (!same) fuzz_invariant_failed(TARGET, "rebuilt reference list differs", in, n);
}

static void fuzz_refs(const uint8_t *data, size_t size)
{
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_rd r = s7p_rd_init(data, size);
    s7p_value v;
    s7p_sub_refs refs;
    if (s7p_value_decode(&r, &a, &v) && s7p_sub_refs_from_value(&v, &a, &refs) == S7P_OK) {
        s7p_value back;
        if (!s7p_sub_refs_to_value(&refs, &a, &back))
            fuzz_invariant_failed(TARGET, "an accepted reference list does not rebuild", data,
                                  size);
        bool same = back.count == v.count && back.type == v.type;
        for (uint32_t i = 0; same && i < v.count; i++) same = back.elems[i].u == v.elems[i].u;
        if (!same) fuzz_invariant_failed(TARGET, "rebuilt elements differ", data, size);
        s7p_sub_refs again;
        if (s7p_sub_refs_from_value(&back, &a, &again) != S7P_OK)
            fuzz_invariant_failed(TARGET, "a rebuilt reference list is refused", data, size);
        check_refs_equal(&refs, &again, data, size);
    }
    s7p_arena_release(&a);
}

static void fuzz_object(const uint8_t *data, size_t size)
{
    s7p_arena a;
    s7p_arena_init(&a, FUZZ_ARENA_LIMIT);
    s7p_rd r = s7p_rd_init(data, size);
    s7p_object *o;
    s7p_sub_params p;
    if (s7p_object_decode(&r, &a, &o) && s7p_sub_object_parse(o, &a, &p) == S7P_OK) {
        s7p_object *built;
        s7p_sub_params q;
        if (!s7p_sub_object_build(&a, &p, &built) || s7p_sub_object_parse(built, &a, &q) != S7P_OK)
            fuzz_invariant_failed(TARGET, "an accepted object does not rebuild", data, size);
        if (p.rel_id != q.rel_id || p.function_class != q.function_class ||
            p.route_mode != q.route_mode || p.cycle_ms != q.cycle_ms ||
            p.credit_limit != q.credit_limit)
            fuzz_invariant_failed(TARGET, "rebuilt object parameters differ", data, size);
        check_refs_equal(&p.refs, &q.refs, data, size);
        s7p_wr c = s7p_wr_counter();
        if (!s7p_object_encode(&c, built))
            fuzz_invariant_failed(TARGET, "a built object does not encode", data, size);
    }
    s7p_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_refs(data, size);
    fuzz_object(data, size);
    return 0;
}
