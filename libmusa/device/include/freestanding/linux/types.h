/* SPDX-License-Identifier: MIT */
/*
 * Device-side stand-in for <linux/types.h>: the uapi headers (s5000.h) use the
 * kernel's fixed-width names, and device code has no kernel headers to take them
 * from. The compiler's own predefined types keep this free of any libc. It lives in
 * a folder of its own, which only device builds (musa-cc, the emulator's ISA tests)
 * put on the include path, so that host code using the device headers keeps the
 * real <linux/types.h>.
 */
#ifndef MUSA_DEVICE_LINUX_TYPES_H
#define MUSA_DEVICE_LINUX_TYPES_H

typedef __INT8_TYPE__ __s8;
typedef __UINT8_TYPE__ __u8;
typedef __INT16_TYPE__ __s16;
typedef __UINT16_TYPE__ __u16;
typedef __INT32_TYPE__ __s32;
typedef __UINT32_TYPE__ __u32;
typedef __INT64_TYPE__ __s64;
typedef __UINT64_TYPE__ __u64;

#endif /* MUSA_DEVICE_LINUX_TYPES_H */
