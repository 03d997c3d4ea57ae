/* SPDX-License-Identifier: MIT */
/* Placeholders of object ids in fuzz_sim_requests' inputs (make_sim_seeds writes them): the
 * target replaces them by the ids of the connection it serves. */
#ifndef S7P_FUZZ_SIM_H
#define S7P_FUZZ_SIM_H

#define FUZZ_SIM_SESSION 0xFFFFFFFFu    /* the session object */
#define FUZZ_SIM_CONTAINER 0xFFFFFFFEu  /* its subscription container (session id 2) */
#define FUZZ_SIM_CREATED 0xFFFFFF00u    /* + k (0..7): the k-th object created (mod 8) */

#endif
