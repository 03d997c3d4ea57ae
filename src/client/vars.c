/* Public browse, symbol resolution, read and write: argument checks, the client lock and
 * the write gate around the services. */
#include "client/client_int.h"
#include "services/rw.h"
#include "util/clock.h"

static s7p_status need_session(s7p_client *c, s7p_fail *f)
{
    return c->session.open ? S7P_OK : s7p_fail_set(f, S7P_E_STATE, "not connected");
}

s7p_status s7p_browse(s7p_client *c, s7p_browse_fn fn, void *ctx, s7p_error *err)
{
    if (!c || !fn) return S7P_E_INVALID_ARG;
    s7p_fail f = {0};
    pthread_mutex_lock(&c->lock);
    s7p_status st = need_session(c, &f);
    if (st == S7P_OK)
        st = s7p_browse_run(&c->session, &c->cache, fn, ctx,
                            s7p_deadline_in(c->opt.browse_timeout_ms), &f);
    s7p_client_drop_if_broken(c);
    pthread_mutex_unlock(&c->lock);
    return s7p_client_finish(c, "browse", st, &f, err);
}

s7p_status s7p_tag_by_symbol(s7p_client *c, const char *symbol, s7p_tag *out, s7p_error *err)
{
    if (!c || !symbol || !out) return S7P_E_INVALID_ARG;
    s7p_fail f = {0};
    pthread_mutex_lock(&c->lock);
    s7p_status st = need_session(c, &f);
    if (st == S7P_OK)
        st = s7p_browse_resolve(&c->session, &c->cache, symbol, out,
                                s7p_deadline_in(c->opt.browse_timeout_ms), &f);
    s7p_client_drop_if_broken(c);
    pthread_mutex_unlock(&c->lock);
    return s7p_client_finish(c, "symbol", st, &f, err);
}

s7p_status s7p_read(s7p_client *c, const s7p_tag *tags, size_t n, s7p_tag_value *values,
                    s7p_item_result *results, s7p_error *err)
{
    if (!c || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    s7p_fail f = {0};
    pthread_mutex_lock(&c->lock);
    s7p_status st = need_session(c, &f);
    if (st == S7P_OK)
        st = s7p_rw_read(&c->session, tags, n, values, results, c->opt.request_timeout_ms, &f);
    s7p_client_drop_if_broken(c);
    pthread_mutex_unlock(&c->lock);
    return s7p_client_finish(c, "read", st, &f, err);
}

s7p_status s7p_write(s7p_client *c, const s7p_tag *tags, const s7p_tag_value *values, size_t n,
                     s7p_item_result *results, s7p_error *err)
{
    if (!c || (n && (!tags || !values || !results))) return S7P_E_INVALID_ARG;
    s7p_fail f = {0};
    /* The gate comes first: with writes disabled nothing is sent, whatever the state. */
    if (!c->opt.allow_write) {
        s7p_fail_set(&f, S7P_E_WRITE_DISABLED, "writes are disabled (enable allow_write)");
        return s7p_client_finish(c, "write", S7P_E_WRITE_DISABLED, &f, err);
    }
    pthread_mutex_lock(&c->lock);
    s7p_status st = need_session(c, &f);
    if (st == S7P_OK)
        st = s7p_rw_write(&c->session, tags, values, n, results, c->opt.request_timeout_ms, &f);
    s7p_client_drop_if_broken(c);
    pthread_mutex_unlock(&c->lock);
    return s7p_client_finish(c, "write", st, &f, err);
}
