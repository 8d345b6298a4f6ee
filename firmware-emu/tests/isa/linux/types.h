/* SPDX-License-Identifier: MIT */
/* What uapi/s5000.h needs from <linux/types.h>, for device code. */
#ifndef ISA_LINUX_TYPES_H
#define ISA_LINUX_TYPES_H

#include <stdint.h>

typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;

#endif
