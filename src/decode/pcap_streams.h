/* SPDX-License-Identifier: MIT */
/* TPKT packets out of a pcap/pcapng capture of S7CommPlus traffic (the decode layer).
 *
 * Reads a capture with libpcap, finds the TCP conversations where one side uses port 102
 * (ISO-on-TCP, RFC 1006; another port on request), rebuilds each direction's byte stream from the TCP sequence
 * numbers and cuts it into TPKT packets. The capture decoder (decode/decoder.c) reads
 * captures with it; the tests use it to feed real PLC traffic to our decoders and to replay
 * it over loopback (tests/conformance/s7p_replay).
 *
 * It allocates with malloc() and depends on libpcap. Like the rest of the library it never
 * prints; errors come back as a status plus one line
 * of text in a caller buffer (libcurl's CURLOPT_ERRORBUFFER idea).
 *
 * Thread safety: no global mutable state. One result object must not be used from two
 * threads while one of them frees it; reading it from several threads is fine.
 */
#ifndef S7P_DECODE_PCAP_STREAMS_H
#define S7P_DECODE_PCAP_STREAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds. A capture that needs more than these is refused with S7P_PCAP_E_LIMIT, so a
 * hostile or corrupt file costs at most a few hundred MiB and a few seconds. */
#define S7P_PCAP_MAX_FRAMES        2000000u           /* frames read from the file */
#define S7P_PCAP_MAX_CONVERSATIONS 4096u              /* TCP conversations on port 102 */
#define S7P_PCAP_MAX_PAYLOAD       (256u * 1024 * 1024) /* TCP payload bytes kept, all */
#define S7P_PCAP_MAX_STREAM        (64u * 1024 * 1024)  /* bytes per direction; more is cut */
#define S7P_PCAP_MAX_STREAM_TOTAL  (512u * 1024 * 1024) /* stream buffers, all directions */

/* The well-known ISO-on-TCP port that tells the server side of a conversation. */
#define S7P_PCAP_ISO_TCP_PORT 102u

/* Smallest TPKT we accept: 4-byte TPKT header + the shortest COTP TPDU (DT: 02 F0 xx). */
#define S7P_PCAP_TPKT_MIN_LEN 7u

typedef enum s7p_pcap_status {
    S7P_PCAP_OK = 0,
    S7P_PCAP_E_INVALID_ARG, /* NULL path or out pointer */
    S7P_PCAP_E_OPEN,        /* libpcap could not open or parse the file header */
    S7P_PCAP_E_READ,        /* libpcap failed in the middle of the file */
    S7P_PCAP_E_LINKTYPE,    /* link-layer type we do not decode */
    S7P_PCAP_E_NOMEM,       /* malloc failed */
    S7P_PCAP_E_LIMIT        /* one of the S7P_PCAP_MAX_* bounds was exceeded */
} s7p_pcap_status;

/* Per-direction index: [S7P_PCAP_C2S] client -> server, [S7P_PCAP_S2C] server -> client. */
enum { S7P_PCAP_C2S = 0, S7P_PCAP_S2C = 1 };

/* One TCP conversation (one connection) with a side on port 102. The client is the side
 * that is NOT on port 102. If both sides use 102, the endpoint that sorts lower (address,
 * then port) is taken as the client, so the choice is at least stable. */
typedef struct s7p_pcap_conversation {
    int      ip_version;         /* 4 or 6 */
    uint8_t  client_addr[16];    /* IPv4 uses the first 4 bytes, network order */
    uint8_t  server_addr[16];
    uint16_t client_port;
    uint16_t server_port;
    uint64_t first_frame;        /* 1-based frame number of its first packet in the file */
    /* Per direction, indexed by S7P_PCAP_C2S / S7P_PCAP_S2C: */
    size_t   tpkt_count[2];      /* complete TPKT packets cut from this direction */
    bool     saw_syn[2];         /* stream starts after the SYN; else at the lowest seq seen */
    bool     gap[2];             /* bytes are missing: the stream ends before data we saw */
    bool     desync[2];          /* the stream stopped looking like TPKT (version byte not
                                  * 03 00, or length < S7P_PCAP_TPKT_MIN_LEN); cutting
                                  * stopped there */
    bool     clipped[2];         /* data beyond S7P_PCAP_MAX_STREAM was dropped */
    size_t   leftover[2];        /* captured bytes not inside a complete TPKT */
} s7p_pcap_conversation;

/* One TPKT packet, header included (bytes[0] == 0x03, len == bytes[2..3] big-endian). */
typedef struct s7p_pcap_tpkt {
    size_t         conversation; /* index into s7p_pcap_streams.conversations */
    bool           from_client;  /* true: client -> server (towards port 102) */
    const uint8_t *bytes;        /* borrowed from the s7p_pcap_streams that holds it */
    size_t         len;          /* >= S7P_PCAP_TPKT_MIN_LEN, <= 65535 */
    uint64_t       frame;        /* 1-based frame number of the segment that completed it */
    int64_t        time_us;      /* that frame's capture time, microseconds since 1970 */
} s7p_pcap_tpkt;

/* Counters about frames that were skipped. Skipped frames are not errors: captures often
 * hold ARP, UDP, IP fragments or frames cut short by the snap length. */
typedef struct s7p_pcap_stats {
    uint64_t frames;            /* frames read */
    uint64_t tcp_segments;      /* TCP segments of port-102 conversations */
    uint64_t skipped_not_tcp;   /* not IPv4/IPv6 + TCP, or not port 102 */
    uint64_t skipped_malformed; /* bad or truncated headers, IP fragments */
    uint64_t truncated_payload; /* segments whose payload was cut by the snap length */
} s7p_pcap_stats;

/* The result of s7p_pcap_streams_load(). The arrays and every tpkts[i].bytes belong to
 * this object: they stay valid and unchanged until s7p_pcap_streams_free(). */
typedef struct s7p_pcap_streams {
    s7p_pcap_tpkt         *tpkts;   /* all TPKT packets, in capture order: sorted by the
                                     * frame that completed them, ties in stream order */
    size_t                 tpkt_count;
    s7p_pcap_conversation *conversations; /* in order of first appearance */
    size_t                 conversation_count;
    s7p_pcap_stats         stats;
    int                    linktype;      /* pcap DLT_* value of the file */
    struct s7p_pcap_priv  *priv;          /* owned memory; not for callers */
} s7p_pcap_streams;

/**
 * Load a pcap or pcapng file and cut its port-102 TCP streams into TPKT packets.
 *
 * Link types: Ethernet (DLT_EN10MB, with 802.1Q/802.1ad tags), Linux cooked (DLT_LINUX_SLL,
 * DLT_LINUX_SLL2), BSD loopback (DLT_NULL, DLT_LOOP), raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6).
 * Network: IPv4 (fragments skipped) and IPv6 (extension headers walked, fragments skipped).
 * TCP: segments are placed by sequence number, relative to SYN + 1 when the SYN was
 * captured, else to the lowest sequence number seen in that direction. Duplicates and
 * retransmissions do not overwrite bytes already placed (the first copy wins; keep-alive
 * probes therefore change nothing), out-of-order segments wait until the gap is filled.
 * A new SYN on a 4-tuple whose conversation already carried data starts a new conversation.
 *
 * @param path    file to read; borrowed for the duration of the call.
 * @param out     receives the new result on S7P_PCAP_OK, NULL otherwise. The caller owns it
 *                and releases it with s7p_pcap_streams_free().
 * @param err     caller buffer for a one-line message (no newline), set on failure and
 *                emptied on success; may be NULL.
 * @param err_len size of err in bytes.
 * @return S7P_PCAP_OK, or an s7p_pcap_status saying why nothing was returned. A capture
 *         without any port-102 traffic is not an error: it gives zero conversations.
 */
s7p_pcap_status s7p_pcap_streams_load(const char *path, s7p_pcap_streams **out,
                                      char *err, size_t err_len);

/** What s7p_pcap_streams_read() reads: a file (path) or a capture in memory (data, len),
 *  and the server side's TCP port (0: S7P_PCAP_ISO_TCP_PORT). */
typedef struct s7p_pcap_input {
    const char    *path;
    const uint8_t *data;
    size_t         len;
    uint16_t       port;
} s7p_pcap_input;

/** As s7p_pcap_streams_load(), from a file or from memory, on any port. The memory is only
 *  read during the call. */
s7p_pcap_status s7p_pcap_streams_read(const s7p_pcap_input *in, s7p_pcap_streams **out,
                                      char *err, size_t err_len);

/** Release everything s7p_pcap_streams_load() returned. NULL is a no-op. */
void s7p_pcap_streams_free(s7p_pcap_streams *s);

/** Static, never NULL: "ok", "cannot open capture", ... */
const char *s7p_pcap_status_str(s7p_pcap_status st);

#endif
