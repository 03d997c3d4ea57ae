/* SPDX-License-Identifier: MIT */
#include "session/channel.h"

s7p_status s7p_channel_init(s7p_channel *ch, int fd) { return s7p_link_init(ch, fd); }

void s7p_channel_close(s7p_channel *ch) { s7p_link_free(ch); }

s7p_status s7p_channel_break(s7p_channel *ch, s7p_status st, const char *what)
{
    return s7p_link_break(ch, st, what);
}

s7p_status s7p_channel_flush(s7p_channel *ch, int64_t deadline)
{
    return s7p_iso_flush(&ch->iso, deadline);
}

/* Writes the link's output; a failure breaks the link. */
static s7p_status flush(s7p_channel *ch, int64_t deadline)
{
    s7p_status st = s7p_iso_flush(&ch->iso, deadline);
    return st == S7P_OK ? st : s7p_link_transport_failed(ch, st, true);
}

/* Reads what the socket has and feeds it; a failure breaks the link. */
static s7p_status fill(s7p_channel *ch, int64_t deadline)
{
    s7p_status st = s7p_iso_fill(&ch->iso, deadline);
    return st == S7P_OK ? st : s7p_link_transport_failed(ch, st, false);
}

s7p_status s7p_channel_start_tls(s7p_channel *ch, s7p_tls_ctx *ctx, int64_t deadline)
{
    s7p_status st = s7p_link_tls_start(ch, ctx);
    bool done = false;
    for (;;) {
        /* The flight (or the alert of a failure) goes out before anything else. */
        s7p_status sent = s7p_iso_flush(&ch->iso, deadline);
        if (st != S7P_OK) return st;
        if (sent != S7P_OK) return s7p_link_transport_failed(ch, sent, true);
        if (done) return S7P_OK;
        if ((st = fill(ch, deadline)) != S7P_OK) return st;
        st = s7p_link_tls_step(ch, &done);
    }
}

s7p_status s7p_channel_send(s7p_channel *ch, const s7p_pdu *p, int64_t deadline)
{
    s7p_status st = s7p_link_put_pdu(ch, p);
    return st == S7P_OK ? flush(ch, deadline) : st;
}

s7p_status s7p_channel_send_event(s7p_channel *ch, const s7p_sysevent *e, int64_t deadline)
{
    s7p_status st = s7p_link_put_event(ch, e);
    return st == S7P_OK ? flush(ch, deadline) : st;
}

s7p_status s7p_channel_send_raw(s7p_channel *ch, const uint8_t *p, size_t n, int64_t deadline)
{
    s7p_status st = s7p_link_put_raw(ch, p, n);
    return st == S7P_OK ? flush(ch, deadline) : st;
}

/* As fill(), except that a passed deadline leaves the link usable: the bytes read so far
 * (a frame's first half, say) stay in the stream buffer and the next receive goes on with
 * them, so a caller may wake up for timers of its own without losing the connection. */
static s7p_status fill_or_wait(s7p_channel *ch, int64_t deadline)
{
    s7p_status st = s7p_iso_fill(&ch->iso, deadline);
    if (st == S7P_E_TIMEOUT) return st;
    return st == S7P_OK ? st : s7p_link_transport_failed(ch, st, false);
}

s7p_status s7p_channel_recv(s7p_channel *ch, s7p_arena *a, s7p_msg *out, int64_t deadline)
{
    for (;;) {
        bool got;
        s7p_status st = s7p_link_pop(ch, a, out, &got);
        /* Decrypting may have queued bytes for the peer (a KeyUpdate answer, our alert):
         * they go out first, also when the link just broke. */
        s7p_status sent = s7p_iso_flush(&ch->iso, deadline);
        if (st != S7P_OK) return st;
        if (sent != S7P_OK) return s7p_link_transport_failed(ch, sent, false);
        if (got) return S7P_OK;
        if ((st = fill_or_wait(ch, deadline)) != S7P_OK) return st;
    }
}
