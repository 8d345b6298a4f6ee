/* SPDX-License-Identifier: MIT */
/*
 * musa.h: the MUSA driver API (mu*), libmusa's counterpart of CUDA's cuda.h.
 *
 * Names follow CUDA's with CUDA→MUSA, cuda→musa, then cu→mu, CU→MU; signatures,
 * semantics and the numeric values of results, attributes and flags are CUDA's, so
 * code written against the CUDA driver API ports by renaming.
 *
 * Every call returns a MUresult. muInit(0) must come first (the runtime API calls it
 * implicitly); until then calls return MUSA_ERROR_NOT_INITIALIZED. Calls that work
 * in a context use the calling thread's current one (muCtxSetCurrent, or the one a
 * runtime call made current); without one they return MUSA_ERROR_INVALID_CONTEXT.
 * After a device fault every call that needs the device's context returns the
 * fault's code (e.g. MUSA_ERROR_ILLEGAL_ADDRESS) for the rest of the process.
 * musaGetLastErrorDetail() (musa_runtime.h) describes the calling thread's most
 * recent failure of either API in words.
 *
 * Only primary contexts exist: one per device, shared with the runtime API.
 * Kernels come from code objects (musa-cc's ELF output, uapi/s5000.h) loaded into
 * a context with muModuleLoad/muModuleLoadData and run with muLaunchKernel.
 * Not provided yet: muCtxCreate, JIT options (muModuleLoadDataEx), fat binaries,
 * virtual memory management, IPC, graphs.
 */
#ifndef MUSA_H
#define MUSA_H

#include <stddef.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* The driver API version this header describes: 1000 * major + 10 * minor. */
#define MUSA_VERSION 1000

#ifndef MUSA_CB
#define MUSA_CB
#endif

/** Results of the driver API; the numbers are CUDA's CUresult values. */
typedef enum musaError_enum {
	MUSA_SUCCESS = 0,
	MUSA_ERROR_INVALID_VALUE = 1,
	MUSA_ERROR_OUT_OF_MEMORY = 2,
	MUSA_ERROR_NOT_INITIALIZED = 3,
	MUSA_ERROR_DEINITIALIZED = 4,
	MUSA_ERROR_PROFILER_DISABLED = 5,
	MUSA_ERROR_PROFILER_NOT_INITIALIZED = 6,
	MUSA_ERROR_PROFILER_ALREADY_STARTED = 7,
	MUSA_ERROR_PROFILER_ALREADY_STOPPED = 8,
	MUSA_ERROR_STUB_LIBRARY = 34,
	MUSA_ERROR_DEVICE_UNAVAILABLE = 46,
	MUSA_ERROR_NO_DEVICE = 100,
	MUSA_ERROR_INVALID_DEVICE = 101,
	MUSA_ERROR_DEVICE_NOT_LICENSED = 102,
	MUSA_ERROR_INVALID_IMAGE = 200,
	MUSA_ERROR_INVALID_CONTEXT = 201,
	MUSA_ERROR_CONTEXT_ALREADY_CURRENT = 202,
	MUSA_ERROR_MAP_FAILED = 205,
	MUSA_ERROR_UNMAP_FAILED = 206,
	MUSA_ERROR_ARRAY_IS_MAPPED = 207,
	MUSA_ERROR_ALREADY_MAPPED = 208,
	MUSA_ERROR_NO_BINARY_FOR_GPU = 209,
	MUSA_ERROR_ALREADY_ACQUIRED = 210,
	MUSA_ERROR_NOT_MAPPED = 211,
	MUSA_ERROR_NOT_MAPPED_AS_ARRAY = 212,
	MUSA_ERROR_NOT_MAPPED_AS_POINTER = 213,
	MUSA_ERROR_ECC_UNCORRECTABLE = 214,
	MUSA_ERROR_UNSUPPORTED_LIMIT = 215,
	MUSA_ERROR_CONTEXT_ALREADY_IN_USE = 216,
	MUSA_ERROR_PEER_ACCESS_UNSUPPORTED = 217,
	MUSA_ERROR_INVALID_PTX = 218,
	MUSA_ERROR_INVALID_GRAPHICS_CONTEXT = 219,
	MUSA_ERROR_NVLINK_UNCORRECTABLE = 220,
	MUSA_ERROR_JIT_COMPILER_NOT_FOUND = 221,
	MUSA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
	MUSA_ERROR_JIT_COMPILATION_DISABLED = 223,
	MUSA_ERROR_UNSUPPORTED_EXEC_AFFINITY = 224,
	MUSA_ERROR_UNSUPPORTED_DEVSIDE_SYNC = 225,
	MUSA_ERROR_INVALID_SOURCE = 300,
	MUSA_ERROR_FILE_NOT_FOUND = 301,
	MUSA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND = 302,
	MUSA_ERROR_SHARED_OBJECT_INIT_FAILED = 303,
	MUSA_ERROR_OPERATING_SYSTEM = 304,
	MUSA_ERROR_INVALID_HANDLE = 400,
	MUSA_ERROR_ILLEGAL_STATE = 401,
	MUSA_ERROR_LOSSY_QUERY = 402,
	MUSA_ERROR_NOT_FOUND = 500,
	MUSA_ERROR_NOT_READY = 600,
	MUSA_ERROR_ILLEGAL_ADDRESS = 700,
	MUSA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
	MUSA_ERROR_LAUNCH_TIMEOUT = 702,
	MUSA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING = 703,
	MUSA_ERROR_PEER_ACCESS_ALREADY_ENABLED = 704,
	MUSA_ERROR_PEER_ACCESS_NOT_ENABLED = 705,
	MUSA_ERROR_PRIMARY_CONTEXT_ACTIVE = 708,
	MUSA_ERROR_CONTEXT_IS_DESTROYED = 709,
	MUSA_ERROR_ASSERT = 710,
	MUSA_ERROR_TOO_MANY_PEERS = 711,
	MUSA_ERROR_HOST_MEMORY_ALREADY_REGISTERED = 712,
	MUSA_ERROR_HOST_MEMORY_NOT_REGISTERED = 713,
	MUSA_ERROR_HARDWARE_STACK_ERROR = 714,
	MUSA_ERROR_ILLEGAL_INSTRUCTION = 715,
	MUSA_ERROR_MISALIGNED_ADDRESS = 716,
	MUSA_ERROR_INVALID_ADDRESS_SPACE = 717,
	MUSA_ERROR_INVALID_PC = 718,
	MUSA_ERROR_LAUNCH_FAILED = 719,
	MUSA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE = 720,
	MUSA_ERROR_NOT_PERMITTED = 800,
	MUSA_ERROR_NOT_SUPPORTED = 801,
	MUSA_ERROR_SYSTEM_NOT_READY = 802,
	MUSA_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
	MUSA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804,
	MUSA_ERROR_MPS_CONNECTION_FAILED = 805,
	MUSA_ERROR_MPS_RPC_FAILURE = 806,
	MUSA_ERROR_MPS_SERVER_NOT_READY = 807,
	MUSA_ERROR_MPS_MAX_CLIENTS_REACHED = 808,
	MUSA_ERROR_MPS_MAX_CONNECTIONS_REACHED = 809,
	MUSA_ERROR_MPS_CLIENT_TERMINATED = 810,
	MUSA_ERROR_CDP_NOT_SUPPORTED = 811,
	MUSA_ERROR_CDP_VERSION_MISMATCH = 812,
	MUSA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
	MUSA_ERROR_STREAM_CAPTURE_INVALIDATED = 901,
	MUSA_ERROR_STREAM_CAPTURE_MERGE = 902,
	MUSA_ERROR_STREAM_CAPTURE_UNMATCHED = 903,
	MUSA_ERROR_STREAM_CAPTURE_UNJOINED = 904,
	MUSA_ERROR_STREAM_CAPTURE_ISOLATION = 905,
	MUSA_ERROR_STREAM_CAPTURE_IMPLICIT = 906,
	MUSA_ERROR_CAPTURED_EVENT = 907,
	MUSA_ERROR_STREAM_CAPTURE_WRONG_THREAD = 908,
	MUSA_ERROR_TIMEOUT = 909,
	MUSA_ERROR_GRAPH_EXEC_UPDATE_FAILURE = 910,
	MUSA_ERROR_EXTERNAL_DEVICE = 911,
	MUSA_ERROR_INVALID_CLUSTER_SIZE = 912,
	MUSA_ERROR_UNKNOWN = 999
} MUresult;

/** A device ordinal, 0 to muDeviceGetCount() - 1. */
typedef int MUdevice;
/** A GPU virtual address; device and pinned host memory share one address space. */
typedef unsigned long long MUdeviceptr;
typedef struct MUctx_st *MUcontext;
typedef struct MUstream_st *MUstream;
typedef struct MUevent_st *MUevent;
/** A code object loaded into a context (muModuleLoad). */
typedef struct MUmod_st *MUmodule;
/** A kernel of a loaded module (muModuleGetFunction). */
typedef struct MUfunc_st *MUfunction;

#ifndef MU_UUID_HAS_BEEN_DEFINED
#define MU_UUID_HAS_BEEN_DEFINED
/** A device's 16-byte UUID (musa-smi shows it as MTGPU-xxxxxxxx-xxxx-…). */
struct MUuuid_st {
	char bytes[16];
};
#endif
typedef struct MUuuid_st MUuuid;

/** A host function run in stream order (muLaunchHostFunc); it must not call libmusa. */
typedef void (MUSA_CB *MUhostFn)(void *userData);

/* muCtx / primary context flags (CU_CTX_*). */
#define MU_CTX_SCHED_AUTO		0x00
#define MU_CTX_SCHED_SPIN		0x01
#define MU_CTX_SCHED_YIELD		0x02
#define MU_CTX_SCHED_BLOCKING_SYNC	0x04
#define MU_CTX_SCHED_MASK		0x07
#define MU_CTX_MAP_HOST			0x08
#define MU_CTX_LMEM_RESIZE_TO_MAX	0x10
#define MU_CTX_FLAGS_MASK		0x1f

/* Stream flags and special streams. */
#define MU_STREAM_DEFAULT		0x0
#define MU_STREAM_NON_BLOCKING		0x1
#define MU_STREAM_LEGACY		((MUstream)0x1)
#define MU_STREAM_PER_THREAD		((MUstream)0x2)

/* Event flags. */
#define MU_EVENT_DEFAULT		0x0
#define MU_EVENT_BLOCKING_SYNC		0x1
#define MU_EVENT_DISABLE_TIMING		0x2
#define MU_EVENT_INTERPROCESS		0x4

/* muMemHostAlloc flags. */
#define MU_MEMHOSTALLOC_PORTABLE	0x01
#define MU_MEMHOSTALLOC_DEVICEMAP	0x02
#define MU_MEMHOSTALLOC_WRITECOMBINED	0x04

/* muMemHostRegister flags. */
#define MU_MEMHOSTREGISTER_PORTABLE	0x01
#define MU_MEMHOSTREGISTER_DEVICEMAP	0x02
#define MU_MEMHOSTREGISTER_IOMEMORY	0x04
#define MU_MEMHOSTREGISTER_READ_ONLY	0x08

/*
 * muLaunchKernel's @extra: a list of key, value pairs ending with MU_LAUNCH_PARAM_END.
 * BUFFER_POINTER: the packed arguments, laid out as the kernel's parameters are
 * (the offsets muModuleGetFunction's metadata gives); BUFFER_SIZE: a pointer to a
 * size_t holding their size.
 */
#define MU_LAUNCH_PARAM_END_AS_INT		0x00
#define MU_LAUNCH_PARAM_END			((void *)MU_LAUNCH_PARAM_END_AS_INT)
#define MU_LAUNCH_PARAM_BUFFER_POINTER_AS_INT	0x01
#define MU_LAUNCH_PARAM_BUFFER_POINTER		((void *)MU_LAUNCH_PARAM_BUFFER_POINTER_AS_INT)
#define MU_LAUNCH_PARAM_BUFFER_SIZE_AS_INT	0x02
#define MU_LAUNCH_PARAM_BUFFER_SIZE		((void *)MU_LAUNCH_PARAM_BUFFER_SIZE_AS_INT)

/* muOccupancy*WithFlags flags. */
#define MU_OCCUPANCY_DEFAULT			0x0
#define MU_OCCUPANCY_DISABLE_CACHING_OVERRIDE	0x1

/** Dynamic shared memory a block of @blockSize threads needs (muOccupancyMaxPotentialBlockSize). */
typedef size_t (MUSA_CB *MUoccupancyB2DSize)(int blockSize);

/** Function attributes (muFuncGetAttribute); the numbers are CUDA's. */
typedef enum MUfunction_attribute_enum {
	/** threads per block the kernel can be launched with (<= 1024) */
	MU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0,
	/** bytes of static shared memory (__shared__ variables) */
	MU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1,
	/** bytes of constant memory: 0, constants live in the code object */
	MU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES = 2,
	/** bytes of stack per thread */
	MU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3,
	/** registers per thread: 64 (x0-x31, f0-f31) */
	MU_FUNC_ATTRIBUTE_NUM_REGS = 4,
	/** 10 * major + minor of the device ISA the code targets (31) */
	MU_FUNC_ATTRIBUTE_PTX_VERSION = 5,
	MU_FUNC_ATTRIBUTE_BINARY_VERSION = 6,
	MU_FUNC_ATTRIBUTE_CACHE_MODE_CA = 7,
	/** dynamic shared memory a launch may ask for; settable up to the opt-in limit */
	MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
	/** a hint, -1 (none) or 0-100; settable, without effect */
	MU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT = 9,
	MU_FUNC_ATTRIBUTE_CLUSTER_SIZE_MUST_BE_SET = 10,
	MU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH = 11,
	MU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT = 12,
	MU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH = 13,
	MU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 14,
	MU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE = 15,
	MU_FUNC_ATTRIBUTE_MAX
} MUfunction_attribute;

/** Device attributes (muDeviceGetAttribute); the numbers are CUDA's. */
typedef enum MUdevice_attribute_enum {
	MU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
	MU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X = 2,
	MU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y = 3,
	MU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z = 4,
	MU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5,
	MU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y = 6,
	MU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z = 7,
	MU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = 8,
	MU_DEVICE_ATTRIBUTE_SHARED_MEMORY_PER_BLOCK = 8,
	MU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY = 9,
	MU_DEVICE_ATTRIBUTE_WARP_SIZE = 10,
	MU_DEVICE_ATTRIBUTE_MAX_PITCH = 11,
	MU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK = 12,
	MU_DEVICE_ATTRIBUTE_REGISTERS_PER_BLOCK = 12,
	MU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13,
	MU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT = 14,
	MU_DEVICE_ATTRIBUTE_GPU_OVERLAP = 15,
	MU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
	MU_DEVICE_ATTRIBUTE_KERNEL_EXEC_TIMEOUT = 17,
	MU_DEVICE_ATTRIBUTE_INTEGRATED = 18,
	MU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY = 19,
	MU_DEVICE_ATTRIBUTE_COMPUTE_MODE = 20,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_WIDTH = 21,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_WIDTH = 22,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_HEIGHT = 23,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_WIDTH = 24,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_HEIGHT = 25,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_DEPTH = 26,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LAYERED_WIDTH = 27,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LAYERED_HEIGHT = 28,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LAYERED_LAYERS = 29,
	MU_DEVICE_ATTRIBUTE_SURFACE_ALIGNMENT = 30,
	MU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS = 31,
	MU_DEVICE_ATTRIBUTE_ECC_ENABLED = 32,
	MU_DEVICE_ATTRIBUTE_PCI_BUS_ID = 33,
	MU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID = 34,
	MU_DEVICE_ATTRIBUTE_TCC_DRIVER = 35,
	MU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36,
	MU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37,
	MU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38,
	MU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR = 39,
	MU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT = 40,
	MU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING = 41,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_LAYERED_WIDTH = 42,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_LAYERED_LAYERS = 43,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_GATHER_WIDTH = 45,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_GATHER_HEIGHT = 46,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_WIDTH_ALTERNATE = 47,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_HEIGHT_ALTERNATE = 48,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_DEPTH_ALTERNATE = 49,
	MU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID = 50,
	MU_DEVICE_ATTRIBUTE_TEXTURE_PITCH_ALIGNMENT = 51,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURECUBEMAP_WIDTH = 52,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURECUBEMAP_LAYERED_WIDTH = 53,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURECUBEMAP_LAYERED_LAYERS = 54,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE1D_WIDTH = 55,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_WIDTH = 56,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_HEIGHT = 57,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE3D_WIDTH = 58,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE3D_HEIGHT = 59,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE3D_DEPTH = 60,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE1D_LAYERED_WIDTH = 61,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE1D_LAYERED_LAYERS = 62,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_LAYERED_WIDTH = 63,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_LAYERED_HEIGHT = 64,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_LAYERED_LAYERS = 65,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACECUBEMAP_WIDTH = 66,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACECUBEMAP_LAYERED_WIDTH = 67,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACECUBEMAP_LAYERED_LAYERS = 68,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_LINEAR_WIDTH = 69,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LINEAR_WIDTH = 70,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LINEAR_HEIGHT = 71,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LINEAR_PITCH = 72,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_MIPMAPPED_WIDTH = 73,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_MIPMAPPED_HEIGHT = 74,
	MU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
	MU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
	MU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_MIPMAPPED_WIDTH = 77,
	MU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED = 78,
	MU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED = 79,
	MU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED = 80,
	MU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81,
	MU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR = 82,
	MU_DEVICE_ATTRIBUTE_MANAGED_MEMORY = 83,
	MU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD = 84,
	MU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD_GROUP_ID = 85,
	MU_DEVICE_ATTRIBUTE_HOST_NATIVE_ATOMIC_SUPPORTED = 86,
	MU_DEVICE_ATTRIBUTE_SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO = 87,
	MU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS = 88,
	MU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS = 89,
	MU_DEVICE_ATTRIBUTE_COMPUTE_PREEMPTION_SUPPORTED = 90,
	MU_DEVICE_ATTRIBUTE_CAN_USE_HOST_POINTER_FOR_REGISTERED_MEM = 91,
	MU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH = 95,
	MU_DEVICE_ATTRIBUTE_COOPERATIVE_MULTI_DEVICE_LAUNCH = 96,
	MU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
	MU_DEVICE_ATTRIBUTE_CAN_FLUSH_REMOTE_WRITES = 98,
	MU_DEVICE_ATTRIBUTE_HOST_REGISTER_SUPPORTED = 99,
	MU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS_USES_HOST_PAGE_TABLES = 100,
	MU_DEVICE_ATTRIBUTE_DIRECT_MANAGED_MEM_ACCESS_FROM_HOST = 101,
	MU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED = 102,
	MU_DEVICE_ATTRIBUTE_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR_SUPPORTED = 103,
	MU_DEVICE_ATTRIBUTE_HANDLE_TYPE_WIN32_HANDLE_SUPPORTED = 104,
	MU_DEVICE_ATTRIBUTE_HANDLE_TYPE_WIN32_KMT_HANDLE_SUPPORTED = 105,
	MU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR = 106,
	MU_DEVICE_ATTRIBUTE_GENERIC_COMPRESSION_SUPPORTED = 107,
	MU_DEVICE_ATTRIBUTE_MAX_PERSISTING_L2_CACHE_SIZE = 108,
	MU_DEVICE_ATTRIBUTE_MAX_ACCESS_POLICY_WINDOW_SIZE = 109,
	MU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_WITH_MUSA_VMM_SUPPORTED = 110,
	MU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK = 111,
	MU_DEVICE_ATTRIBUTE_SPARSE_MUSA_ARRAY_SUPPORTED = 112,
	MU_DEVICE_ATTRIBUTE_READ_ONLY_HOST_REGISTER_SUPPORTED = 113,
	MU_DEVICE_ATTRIBUTE_TIMELINE_SEMAPHORE_INTEROP_SUPPORTED = 114,
	MU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
	MU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED = 116,
	MU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_FLUSH_WRITES_OPTIONS = 117,
	MU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_WRITES_ORDERING = 118,
	MU_DEVICE_ATTRIBUTE_MEMPOOL_SUPPORTED_HANDLE_TYPES = 119,
	MU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH = 120,
	MU_DEVICE_ATTRIBUTE_DEFERRED_MAPPING_MUSA_ARRAY_SUPPORTED = 121,
	MU_DEVICE_ATTRIBUTE_CAN_USE_64_BIT_STREAM_MEM_OPS = 122,
	MU_DEVICE_ATTRIBUTE_CAN_USE_STREAM_WAIT_VALUE_NOR = 123,
	MU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED = 124,
	MU_DEVICE_ATTRIBUTE_IPC_EVENT_SUPPORTED = 125,
	MU_DEVICE_ATTRIBUTE_MEM_SYNC_DOMAIN_COUNT = 126,
	MU_DEVICE_ATTRIBUTE_TENSOR_MAP_ACCESS_SUPPORTED = 127,
	MU_DEVICE_ATTRIBUTE_HANDLE_TYPE_FABRIC_SUPPORTED = 128,
	MU_DEVICE_ATTRIBUTE_UNIFIED_FUNCTION_POINTERS = 129,
	MU_DEVICE_ATTRIBUTE_NUMA_CONFIG = 130,
	MU_DEVICE_ATTRIBUTE_NUMA_ID = 131,
	MU_DEVICE_ATTRIBUTE_MULTICAST_SUPPORTED = 132,
	MU_DEVICE_ATTRIBUTE_MPS_ENABLED = 133,
	MU_DEVICE_ATTRIBUTE_HOST_NUMA_ID = 134,
	MU_DEVICE_ATTRIBUTE_MAX
} MUdevice_attribute;

/* ------------------------------------------------------------ errors */

/**
 * muGetErrorName - the enum name of a result ("MUSA_ERROR_INVALID_VALUE")
 * @error: the result
 * @pStr: gets a static string; NULL for an unknown @error
 *
 * Returns MUSA_SUCCESS, or MUSA_ERROR_INVALID_VALUE for an unknown @error or a
 * NULL @pStr. Works before muInit.
 */
MUresult muGetErrorName(MUresult error, const char **pStr);

/**
 * muGetErrorString - what a result means ("invalid argument")
 * @error: the result
 * @pStr: gets a static string; NULL for an unknown @error
 *
 * Returns as muGetErrorName.
 */
MUresult muGetErrorString(MUresult error, const char **pStr);

/* -------------------------------------------------- initialisation, version */

/**
 * muInit - initialise the driver API
 * @Flags: must be 0
 *
 * Finds the devices bound to musa.ko, in PCI bus order, filtered and ordered by
 * MUSA_VISIBLE_DEVICES. Returns MUSA_ERROR_INVALID_VALUE for nonzero @Flags,
 * MUSA_ERROR_NO_DEVICE when no device is visible, MUSA_ERROR_SYSTEM_DRIVER_MISMATCH
 * when musa.ko is not loaded or its ioctl ABI is older than this library's. The
 * outcome is kept: later calls (and the runtime API) report the same error.
 */
MUresult muInit(unsigned int Flags);

/**
 * muDriverGetVersion - the version of the kernel driver
 * @driverVersion: 1000 * major + 10 * minor of musa.ko; 0 when it is not loaded
 */
MUresult muDriverGetVersion(int *driverVersion);

/* ------------------------------------------------------------- devices */

/** muDeviceGetCount - number of visible devices (0 is a success here). */
MUresult muDeviceGetCount(int *count);

/** muDeviceGet - the device handle of ordinal @ordinal (MUSA_ERROR_INVALID_DEVICE). */
MUresult muDeviceGet(MUdevice *device, int ordinal);

/** muDeviceGetName - the product name ("MTT S5000"), truncated to @len - 1 bytes. */
MUresult muDeviceGetName(char *name, int len, MUdevice dev);

/** muDeviceGetUuid - the device's UUID, stable for the board (from its serial). */
MUresult muDeviceGetUuid(MUuuid *uuid, MUdevice dev);

/** muDeviceTotalMem - bytes of device memory (VRAM). */
MUresult muDeviceTotalMem(size_t *bytes, MUdevice dev);

/**
 * muDeviceGetAttribute - one device attribute
 * @pi: the value
 * @attrib: MU_DEVICE_ATTRIBUTE_*; features the device lacks read 0
 * @dev: the device
 *
 * Returns MUSA_ERROR_INVALID_VALUE for an unknown @attrib or NULL @pi,
 * MUSA_ERROR_INVALID_DEVICE for a bad @dev.
 */
MUresult muDeviceGetAttribute(int *pi, MUdevice_attribute attrib, MUdevice dev);

/** muDeviceGetPCIBusId - "dddd:bb:dd.f" of the device, truncated to @len - 1 bytes. */
MUresult muDeviceGetPCIBusId(char *pciBusId, int len, MUdevice dev);

/* ------------------------------------------------------------ contexts */

/**
 * muDevicePrimaryCtxRetain - retain (and create on first use) a device's primary
 * context, the one the runtime API uses too
 * @pctx: the context
 * @dev: the device
 *
 * Creating it opens the device node and maps its first queue lazily; it fails with
 * MUSA_ERROR_DEVICE_UNAVAILABLE when the device has no address space left.
 */
MUresult muDevicePrimaryCtxRetain(MUcontext *pctx, MUdevice dev);

/**
 * muDevicePrimaryCtxRelease - drop a reference taken by muDevicePrimaryCtxRetain
 *
 * The context and everything in it (memory, streams, events) is destroyed when the
 * last reference goes and the runtime API is not using it. Releasing more often
 * than retained returns MUSA_ERROR_INVALID_CONTEXT.
 */
MUresult muDevicePrimaryCtxRelease(MUdevice dev);

/** muDevicePrimaryCtxReset - destroy everything in the primary context now. */
MUresult muDevicePrimaryCtxReset(MUdevice dev);

/**
 * muDevicePrimaryCtxGetState - the primary context's flags (MU_CTX_*) and whether
 * it is active (exists with resources)
 */
MUresult muDevicePrimaryCtxGetState(MUdevice dev, unsigned int *flags, int *active);

/** muDevicePrimaryCtxSetFlags - MU_CTX_SCHED_* and MU_CTX_MAP_HOST for future waits. */
MUresult muDevicePrimaryCtxSetFlags(MUdevice dev, unsigned int flags);

/** muCtxSetCurrent - make @ctx the calling thread's current context (NULL: none). */
MUresult muCtxSetCurrent(MUcontext ctx);

/** muCtxGetCurrent - the calling thread's current context, or NULL. */
MUresult muCtxGetCurrent(MUcontext *pctx);

/** muCtxGetDevice - the device of the current context. */
MUresult muCtxGetDevice(MUdevice *device);

/** muCtxSynchronize - wait until all work in the current context has finished. */
MUresult muCtxSynchronize(void);

/* -------------------------------------------------------------- memory */

/**
 * muMemAlloc - allocate device memory (VRAM)
 * @dptr: its address, in [2^47, 2^48) like every device address
 * @bytesize: bytes; 0 is MUSA_ERROR_INVALID_VALUE as in CUDA
 *
 * Returns MUSA_ERROR_OUT_OF_MEMORY when the device cannot hold it.
 */
MUresult muMemAlloc(MUdeviceptr *dptr, size_t bytesize);

/** muMemFree - free device memory from muMemAlloc; waits for the context first. */
MUresult muMemFree(MUdeviceptr dptr);

/** muMemGetInfo - free and total device memory, over all processes. */
MUresult muMemGetInfo(size_t *free, size_t *total);

/** muMemAllocHost - page-locked host memory the device reaches at the same address. */
MUresult muMemAllocHost(void **pp, size_t bytesize);

/** muMemHostAlloc - muMemAllocHost with MU_MEMHOSTALLOC_* flags. */
MUresult muMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags);

/** muMemFreeHost - free memory from muMemAllocHost/muMemHostAlloc. */
MUresult muMemFreeHost(void *p);

/** muMemHostRegister - page-lock and map existing host memory (MU_MEMHOSTREGISTER_*). */
MUresult muMemHostRegister(void *p, size_t bytesize, unsigned int Flags);

/** muMemHostUnregister - undo muMemHostRegister. */
MUresult muMemHostUnregister(void *p);

/** muMemGetAddressRange - base and size of the allocation holding @dptr. */
MUresult muMemGetAddressRange(MUdeviceptr *pbase, size_t *psize, MUdeviceptr dptr);

/*
 * Copies and fills. Host pointers may be pageable (staged through pinned buffers)
 * or pinned (copied directly). Blocking follows CUDA: a copy to pageable host
 * memory returns when done; from pageable host memory once it is staged; a copy
 * between device addresses does not wait; *Async calls return at once where the
 * host memory is pinned. Without "Async" the work goes on the legacy default stream.
 */
MUresult muMemcpy(MUdeviceptr dst, MUdeviceptr src, size_t ByteCount);
MUresult muMemcpyAsync(MUdeviceptr dst, MUdeviceptr src, size_t ByteCount, MUstream hStream);
MUresult muMemcpyHtoD(MUdeviceptr dstDevice, const void *srcHost, size_t ByteCount);
MUresult muMemcpyDtoH(void *dstHost, MUdeviceptr srcDevice, size_t ByteCount);
MUresult muMemcpyDtoD(MUdeviceptr dstDevice, MUdeviceptr srcDevice, size_t ByteCount);
MUresult muMemcpyHtoDAsync(MUdeviceptr dstDevice, const void *srcHost, size_t ByteCount,
			   MUstream hStream);
MUresult muMemcpyDtoHAsync(void *dstHost, MUdeviceptr srcDevice, size_t ByteCount,
			   MUstream hStream);
MUresult muMemcpyDtoDAsync(MUdeviceptr dstDevice, MUdeviceptr srcDevice, size_t ByteCount,
			   MUstream hStream);

/* Fill @N elements of 1, 2 or 4 bytes; @dstDevice aligned to the element size. */
MUresult muMemsetD8(MUdeviceptr dstDevice, unsigned char uc, size_t N);
MUresult muMemsetD16(MUdeviceptr dstDevice, unsigned short us, size_t N);
MUresult muMemsetD32(MUdeviceptr dstDevice, unsigned int ui, size_t N);
MUresult muMemsetD8Async(MUdeviceptr dstDevice, unsigned char uc, size_t N, MUstream hStream);
MUresult muMemsetD16Async(MUdeviceptr dstDevice, unsigned short us, size_t N, MUstream hStream);
MUresult muMemsetD32Async(MUdeviceptr dstDevice, unsigned int ui, size_t N, MUstream hStream);

/* ------------------------------------------------------ streams, events */

/** muStreamCreate - a stream; @Flags MU_STREAM_DEFAULT or MU_STREAM_NON_BLOCKING. */
MUresult muStreamCreate(MUstream *phStream, unsigned int Flags);

/** muStreamCreateWithPriority - as muStreamCreate; @priority 0 (least) to -3. */
MUresult muStreamCreateWithPriority(MUstream *phStream, unsigned int flags, int priority);

/** muStreamDestroy - the stream goes once its work has finished; returns at once. */
MUresult muStreamDestroy(MUstream hStream);

/** muStreamSynchronize - wait for the stream's work. */
MUresult muStreamSynchronize(MUstream hStream);

/** muStreamQuery - MUSA_SUCCESS when its work is done, else MUSA_ERROR_NOT_READY. */
MUresult muStreamQuery(MUstream hStream);

/** muStreamWaitEvent - later work in @hStream waits for @hEvent; @Flags must be 0. */
MUresult muStreamWaitEvent(MUstream hStream, MUevent hEvent, unsigned int Flags);

/** muLaunchHostFunc - run @fn(@userData) on a library thread in stream order. */
MUresult muLaunchHostFunc(MUstream hStream, MUhostFn fn, void *userData);

/** muEventCreate - an event; @Flags MU_EVENT_DEFAULT, _BLOCKING_SYNC, _DISABLE_TIMING. */
MUresult muEventCreate(MUevent *phEvent, unsigned int Flags);

/** muEventRecord - the event completes when @hStream's work so far has. */
MUresult muEventRecord(MUevent hEvent, MUstream hStream);

/** muEventQuery - MUSA_SUCCESS once complete (or never recorded), else NOT_READY. */
MUresult muEventQuery(MUevent hEvent);

/** muEventSynchronize - wait for the event. */
MUresult muEventSynchronize(MUevent hEvent);

/** muEventElapsedTime - milliseconds between two completed, timed events. */
MUresult muEventElapsedTime(float *pMilliseconds, MUevent hStart, MUevent hEnd);

/** muEventDestroy - destroy an event (pending records still complete). */
MUresult muEventDestroy(MUevent hEvent);

/* ------------------------------------------------------ modules, kernels */

/**
 * muModuleLoad - load a code object from a file into the current context
 * @module: the module
 * @fname: an ELF code object as musa-cc writes it (uapi/s5000.h)
 *
 * Checks the whole file first: MUSA_ERROR_INVALID_IMAGE for anything that is not a
 * well-formed ELF64 RISC-V position-independent code object (bad headers, offsets
 * or sizes outside the file, relocations other than R_RISCV_RELATIVE, kernel
 * records that do not fit), with the reason in musaGetLastErrorDetail();
 * MUSA_ERROR_FILE_NOT_FOUND when @fname does not exist. Then copies the loadable
 * segments into device memory (bss zeroed), relocates them and writes a kernel
 * descriptor per kernel; returns when the device can run them.
 */
MUresult muModuleLoad(MUmodule *module, const char *fname);

/**
 * muModuleLoadData - muModuleLoad from a code object in memory
 * @image: the ELF file's bytes; its size is what its headers say, and memory that
 *         ends before that gives MUSA_ERROR_INVALID_IMAGE, not a crash
 */
MUresult muModuleLoadData(MUmodule *module, const void *image);

/**
 * muModuleUnload - wait for the context's work, then free the module's device
 * memory; its functions and globals are invalid afterwards
 */
MUresult muModuleUnload(MUmodule hmod);

/**
 * muModuleGetFunction - a kernel of @hmod by name
 * @name: the kernel's symbol: mangled for C++ kernels, plain for extern "C" and C
 *
 * MUSA_ERROR_NOT_FOUND if the module has no kernel of that name.
 */
MUresult muModuleGetFunction(MUfunction *hfunc, MUmodule hmod, const char *name);

/**
 * muModuleGetGlobal - the device address and size of a global variable of @hmod
 * (__device__ variables); either output may be NULL. MUSA_ERROR_NOT_FOUND if none.
 */
MUresult muModuleGetGlobal(MUdeviceptr *dptr, size_t *bytes, MUmodule hmod, const char *name);

/** muFuncGetAttribute - one attribute of a kernel (MU_FUNC_ATTRIBUTE_*). */
MUresult muFuncGetAttribute(int *pi, MUfunction_attribute attrib, MUfunction hfunc);

/**
 * muFuncSetAttribute - set MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (0 to
 * the device's opt-in limit less the kernel's static shared memory; 48 KiB less it
 * by default) or PREFERRED_SHARED_MEMORY_CARVEOUT (-1 to 100); anything else is
 * MUSA_ERROR_INVALID_VALUE.
 */
MUresult muFuncSetAttribute(MUfunction hfunc, MUfunction_attribute attrib, int value);

/** muFuncGetName - the kernel's name, as muModuleGetFunction looks it up. */
MUresult muFuncGetName(const char **name, MUfunction hfunc);

/**
 * muLaunchKernel - run @f over a grid of thread blocks in @hStream
 * @gridDimX/Y/Z: blocks, 1 to 2^31 - 1 in x and 1 to 65535 in y and z
 * @blockDimX/Y/Z: threads per block, at most 1024, 1024 and 64, and at most 1024
 *                 (or the kernel's MU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK) in all
 * @sharedMemBytes: dynamic shared memory per block, at most the kernel's
 *                  MU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
 * @kernelParams: one pointer per kernel parameter, to its value; or NULL
 * @extra: MU_LAUNCH_PARAM_* pairs with the packed arguments; or NULL (not both)
 *
 * Returns at once; the arguments are copied. MUSA_ERROR_INVALID_VALUE for bad
 * dimensions, too much shared memory or missing arguments;
 * MUSA_ERROR_LAUNCH_OUT_OF_RESOURCES for more threads than the kernel allows;
 * MUSA_ERROR_INVALID_HANDLE for a function that is not loaded. A fault while the
 * kernel runs is sticky and found by later calls: MUSA_ERROR_ILLEGAL_ADDRESS
 * (unmapped memory), MUSA_ERROR_MISALIGNED_ADDRESS, MUSA_ERROR_ILLEGAL_INSTRUCTION,
 * MUSA_ERROR_ASSERT (a trap), MUSA_ERROR_LAUNCH_TIMEOUT (longer than
 * MUSA_KERNEL_TIMEOUT_MS milliseconds, default 5000), MUSA_ERROR_LAUNCH_FAILED
 * (stack overflow, shared memory out of bounds, barrier deadlock, a jump out of
 * the code), each with the kernel, the address and the pc in
 * musaGetLastErrorDetail().
 */
MUresult muLaunchKernel(MUfunction f, unsigned int gridDimX, unsigned int gridDimY,
			unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY,
			unsigned int blockDimZ, unsigned int sharedMemBytes, MUstream hStream,
			void **kernelParams, void **extra);

/**
 * muOccupancyMaxActiveBlocksPerMultiprocessor - blocks of @blockSize threads using
 * @dynamicSMemSize bytes of dynamic shared memory that fit on one multiprocessor at
 * once (threads, blocks, registers and shared memory per multiprocessor)
 */
MUresult muOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, MUfunction func,
						     int blockSize, size_t dynamicSMemSize);

/** ...WithFlags - @flags MU_OCCUPANCY_DEFAULT or _DISABLE_CACHING_OVERRIDE. */
MUresult muOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int *numBlocks, MUfunction func,
							      int blockSize,
							      size_t dynamicSMemSize,
							      unsigned int flags);

/**
 * muOccupancyMaxPotentialBlockSize - the block size (a multiple of the warp size,
 * at most @blockSizeLimit if nonzero) that keeps the most threads of @func on a
 * multiprocessor, and the grid that fills the device with it
 * @blockSizeToDynamicSMemSize: the dynamic shared memory a block size needs, or
 *                              NULL for @dynamicSMemSize whatever the size
 */
MUresult muOccupancyMaxPotentialBlockSize(int *minGridSize, int *blockSize, MUfunction func,
					  MUoccupancyB2DSize blockSizeToDynamicSMemSize,
					  size_t dynamicSMemSize, int blockSizeLimit);

/** muOccupancyAvailableDynamicSMemPerBlock - dynamic shared memory per block that
 *  still lets @numBlocks blocks of @blockSize threads share a multiprocessor. */
MUresult muOccupancyAvailableDynamicSMemPerBlock(size_t *dynamicSmemSize, MUfunction func,
						 int numBlocks, int blockSize);

#if defined(__cplusplus)
}
#endif

#endif /* MUSA_H */
