/* SPDX-License-Identifier: MIT */
/* The capture reader moved into the library (src/decode/pcap_streams.h); the tests keep
 * including it by this name. */
#ifndef S7P_TEST_PCAP_STREAMS_FWD_H
#define S7P_TEST_PCAP_STREAMS_FWD_H
#include "decode/pcap_streams.h"
#endif
