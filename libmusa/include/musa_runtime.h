/* SPDX-License-Identifier: MIT */
/*
 * musa_runtime.h: the MUSA runtime API (musa*), libmusa's counterpart of CUDA's
 * cuda_runtime_api.h.
 *
 * Names follow CUDA's with CUDA→MUSA and cuda→musa; signatures, semantics and the
 * numeric values of error codes, attributes and flags are CUDA's, so code written
 * against the CUDA runtime API ports by renaming.
 *
 * Initialisation is implicit. Each host thread has a current device (musaSetDevice,
 * default 0) and works in that device's primary context, shared with the driver
 * API (musa.h).
 *
 * Errors. Every call returns a musaError_t. A failing call also records its code as
 * the calling thread's last error (musaGetLastError returns and clears it,
 * musaPeekAtLastError only returns it; a successful call never clears it;
 * musaErrorNotReady from a query is a status, not an error, and is not recorded),
 * and describes the failure in words: musaGetLastErrorDetail(). A fault of the
 * device while running this process's work (a COPY to an unmapped address, a hang,
 * an uncorrectable ECC error) is sticky: from then on every call that needs the
 * device's context returns that error (e.g. musaErrorIllegalAddress), for the rest
 * of the process, and musaGetLastError cannot clear it. Calls that need no context
 * keep working: the error and version queries, musaGetDeviceCount, musaGetDevice,
 * musaGetDeviceProperties, musaDeviceGetAttribute, musaDeviceGetPCIBusId.
 *
 * Memory. Device addresses lie in [2^47, 2^48), each device's in a range of its
 * own; pinned host memory (musaMallocHost, musaHostAlloc, musaHostRegister) is
 * reached by the device at its host address; everything else below 2^47 is pageable
 * host memory, copied through pinned staging buffers. So musaMemcpyDefault works for
 * every pair of pointers, and a pointer names its device.
 *
 * Streams. Stream 0 is the legacy default stream: its work waits for all earlier
 * work of blocking streams (those created without musaStreamNonBlocking), and their
 * later work waits for it. musaStreamPerThread is a blocking stream per host thread.
 * Streams share a small pool of the device's user-mode queues (at most
 * MUSA_DEVICE_MAX_CONNECTIONS per priority, default 4).
 *
 * Environment, read at initialisation:
 *   MUSA_VISIBLE_DEVICES  comma-separated ordinals or UUID prefixes ("MTGPU-1a2b…");
 *                         the list ends at the first entry that matches no device
 *                         or repeats one; empty: no device
 *   MUSA_LAUNCH_BLOCKING  1: every asynchronous call waits for its work to finish
 *   MUSA_LOG              comma-separated: a level (error, warn, info, debug, or 0-4)
 *                         and/or "packets" (a line per packet written into a queue);
 *                         lines go to stderr or to the file MUSA_LOG_FILE
 *   MUSA_DEVICE_MAX_CONNECTIONS  user-mode queues per priority level (1-8)
 *
 *   MUSA_KERNEL_TIMEOUT_MS  how long one kernel may run before it is stopped with
 *                         musaErrorLaunchTimeout (default: the device's, 5000)
 *
 * Kernels. A kernel comes from a code object loaded with the driver API
 * (muModuleLoad, muModuleGetFunction); musaLaunchKernel and the musaFunc* and
 * musaOccupancy* calls take its MUfunction cast to const void *. A fault while a
 * kernel runs is sticky like any device fault, with the kernel, address and pc in
 * musaGetLastErrorDetail().
 *
 * Not provided yet: the <<<>>> registration ABI, 2D/3D copies, managed memory,
 * memory pools, IPC, peer access, graphs and stream capture.
 */
#ifndef MUSA_RUNTIME_H
#define MUSA_RUNTIME_H

#include <stddef.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* The runtime version this header describes: 1000 * major + 10 * minor. */
#define MUSART_VERSION 1000

#ifndef MUSART_CB
#define MUSART_CB
#endif

/** Error codes; the numbers are CUDA's cudaError_t values. */
enum musaError {
	musaSuccess = 0,
	musaErrorInvalidValue = 1,
	musaErrorMemoryAllocation = 2,
	musaErrorInitializationError = 3,
	musaErrorMusartUnloading = 4,
	musaErrorProfilerDisabled = 5,
	musaErrorProfilerNotInitialized = 6,
	musaErrorProfilerAlreadyStarted = 7,
	musaErrorProfilerAlreadyStopped = 8,
	musaErrorInvalidConfiguration = 9,
	musaErrorInvalidPitchValue = 12,
	musaErrorInvalidSymbol = 13,
	musaErrorInvalidHostPointer = 16,
	musaErrorInvalidDevicePointer = 17,
	musaErrorInvalidTexture = 18,
	musaErrorInvalidTextureBinding = 19,
	musaErrorInvalidChannelDescriptor = 20,
	musaErrorInvalidMemcpyDirection = 21,
	musaErrorAddressOfConstant = 22,
	musaErrorTextureFetchFailed = 23,
	musaErrorTextureNotBound = 24,
	musaErrorSynchronizationError = 25,
	musaErrorInvalidFilterSetting = 26,
	musaErrorInvalidNormSetting = 27,
	musaErrorMixedDeviceExecution = 28,
	musaErrorNotYetImplemented = 31,
	musaErrorMemoryValueTooLarge = 32,
	musaErrorStubLibrary = 34,
	musaErrorInsufficientDriver = 35,
	musaErrorCallRequiresNewerDriver = 36,
	musaErrorInvalidSurface = 37,
	musaErrorDuplicateVariableName = 43,
	musaErrorDuplicateTextureName = 44,
	musaErrorDuplicateSurfaceName = 45,
	musaErrorDevicesUnavailable = 46,
	musaErrorIncompatibleDriverContext = 49,
	musaErrorMissingConfiguration = 52,
	musaErrorPriorLaunchFailure = 53,
	musaErrorLaunchMaxDepthExceeded = 65,
	musaErrorLaunchFileScopedTex = 66,
	musaErrorLaunchFileScopedSurf = 67,
	musaErrorSyncDepthExceeded = 68,
	musaErrorLaunchPendingCountExceeded = 69,
	musaErrorInvalidDeviceFunction = 98,
	musaErrorNoDevice = 100,
	musaErrorInvalidDevice = 101,
	musaErrorDeviceNotLicensed = 102,
	musaErrorSoftwareValidityNotEstablished = 103,
	musaErrorStartupFailure = 127,
	musaErrorInvalidKernelImage = 200,
	musaErrorDeviceUninitialized = 201,
	musaErrorMapBufferObjectFailed = 205,
	musaErrorUnmapBufferObjectFailed = 206,
	musaErrorArrayIsMapped = 207,
	musaErrorAlreadyMapped = 208,
	musaErrorNoKernelImageForDevice = 209,
	musaErrorAlreadyAcquired = 210,
	musaErrorNotMapped = 211,
	musaErrorNotMappedAsArray = 212,
	musaErrorNotMappedAsPointer = 213,
	musaErrorECCUncorrectable = 214,
	musaErrorUnsupportedLimit = 215,
	musaErrorDeviceAlreadyInUse = 216,
	musaErrorPeerAccessUnsupported = 217,
	musaErrorInvalidPtx = 218,
	musaErrorInvalidGraphicsContext = 219,
	musaErrorNvlinkUncorrectable = 220,
	musaErrorJitCompilerNotFound = 221,
	musaErrorUnsupportedPtxVersion = 222,
	musaErrorJitCompilationDisabled = 223,
	musaErrorUnsupportedExecAffinity = 224,
	musaErrorUnsupportedDevSideSync = 225,
	musaErrorInvalidSource = 300,
	musaErrorFileNotFound = 301,
	musaErrorSharedObjectSymbolNotFound = 302,
	musaErrorSharedObjectInitFailed = 303,
	musaErrorOperatingSystem = 304,
	musaErrorInvalidResourceHandle = 400,
	musaErrorIllegalState = 401,
	musaErrorLossyQuery = 402,
	musaErrorSymbolNotFound = 500,
	musaErrorNotReady = 600,
	musaErrorIllegalAddress = 700,
	musaErrorLaunchOutOfResources = 701,
	musaErrorLaunchTimeout = 702,
	musaErrorLaunchIncompatibleTexturing = 703,
	musaErrorPeerAccessAlreadyEnabled = 704,
	musaErrorPeerAccessNotEnabled = 705,
	musaErrorSetOnActiveProcess = 708,
	musaErrorContextIsDestroyed = 709,
	musaErrorAssert = 710,
	musaErrorTooManyPeers = 711,
	musaErrorHostMemoryAlreadyRegistered = 712,
	musaErrorHostMemoryNotRegistered = 713,
	musaErrorHardwareStackError = 714,
	musaErrorIllegalInstruction = 715,
	musaErrorMisalignedAddress = 716,
	musaErrorInvalidAddressSpace = 717,
	musaErrorInvalidPc = 718,
	musaErrorLaunchFailure = 719,
	musaErrorCooperativeLaunchTooLarge = 720,
	musaErrorNotPermitted = 800,
	musaErrorNotSupported = 801,
	musaErrorSystemNotReady = 802,
	musaErrorSystemDriverMismatch = 803,
	musaErrorCompatNotSupportedOnDevice = 804,
	musaErrorMpsConnectionFailed = 805,
	musaErrorMpsRpcFailure = 806,
	musaErrorMpsServerNotReady = 807,
	musaErrorMpsMaxClientsReached = 808,
	musaErrorMpsMaxConnectionsReached = 809,
	musaErrorMpsClientTerminated = 810,
	musaErrorCdpNotSupported = 811,
	musaErrorCdpVersionMismatch = 812,
	musaErrorStreamCaptureUnsupported = 900,
	musaErrorStreamCaptureInvalidated = 901,
	musaErrorStreamCaptureMerge = 902,
	musaErrorStreamCaptureUnmatched = 903,
	musaErrorStreamCaptureUnjoined = 904,
	musaErrorStreamCaptureIsolation = 905,
	musaErrorStreamCaptureImplicit = 906,
	musaErrorCapturedEvent = 907,
	musaErrorStreamCaptureWrongThread = 908,
	musaErrorTimeout = 909,
	musaErrorGraphExecUpdateFailure = 910,
	musaErrorExternalDevice = 911,
	musaErrorInvalidClusterSize = 912,
	musaErrorUnknown = 999,
	musaErrorApiFailureBase = 10000
};
typedef enum musaError musaError_t;

/** Direction of a copy; musaMemcpyDefault infers it from the pointers. */
enum musaMemcpyKind {
	musaMemcpyHostToHost = 0,
	musaMemcpyHostToDevice = 1,
	musaMemcpyDeviceToHost = 2,
	musaMemcpyDeviceToDevice = 3,
	musaMemcpyDefault = 4
};

/** What a pointer points to (musaPointerGetAttributes). */
enum musaMemoryType {
	musaMemoryTypeUnregistered = 0,
	musaMemoryTypeHost = 1,
	musaMemoryTypeDevice = 2,
	musaMemoryTypeManaged = 3
};

/** musaPointerGetAttributes' answer. */
struct musaPointerAttributes {
	/** @type: the kind of memory */
	enum musaMemoryType type;
	/** @device: the device it belongs to; -2 for unregistered host memory */
	int device;
	/** @devicePointer: the address the device uses, NULL if it cannot reach it */
	void *devicePointer;
	/** @hostPointer: the address the host uses, NULL for device memory */
	void *hostPointer;
};

typedef struct MUstream_st *musaStream_t;
typedef struct MUevent_st *musaEvent_t;

#ifndef MU_UUID_HAS_BEEN_DEFINED
#define MU_UUID_HAS_BEEN_DEFINED
/** A device's 16-byte UUID (musa-smi shows it as MTGPU-xxxxxxxx-xxxx-…). */
struct MUuuid_st {
	char bytes[16];
};
#endif
typedef struct MUuuid_st musaUUID_t;

/** The legacy default stream, also reached as stream 0. */
#define musaStreamLegacy		((musaStream_t)0x1)
/** The calling thread's own blocking default stream. */
#define musaStreamPerThread		((musaStream_t)0x2)

/* Stream flags. */
#define musaStreamDefault		0x00
#define musaStreamNonBlocking		0x01

/* Event flags. */
#define musaEventDefault		0x00
#define musaEventBlockingSync		0x01
#define musaEventDisableTiming		0x02
#define musaEventInterprocess		0x04
#define musaEventRecordDefault		0x00
#define musaEventRecordExternal		0x01
#define musaEventWaitDefault		0x00
#define musaEventWaitExternal		0x01

/* musaHostAlloc flags. */
#define musaHostAllocDefault		0x00
#define musaHostAllocPortable		0x01
#define musaHostAllocMapped		0x02
#define musaHostAllocWriteCombined	0x04

/* musaHostRegister flags. */
#define musaHostRegisterDefault		0x00
#define musaHostRegisterPortable	0x01
#define musaHostRegisterMapped		0x02
#define musaHostRegisterIoMemory	0x04
#define musaHostRegisterReadOnly	0x08

/* musaSetDeviceFlags flags: how host threads wait for the device. */
#define musaDeviceScheduleAuto		0x00
#define musaDeviceScheduleSpin		0x01
#define musaDeviceScheduleYield		0x02
#define musaDeviceScheduleBlockingSync	0x04
#define musaDeviceBlockingSync		0x04
#define musaDeviceScheduleMask		0x07
#define musaDeviceMapHost		0x08
#define musaDeviceLmemResizeToMax	0x10
#define musaDeviceMask			0x1f

/** Device attributes (musaDeviceGetAttribute); the numbers are CUDA's. */
enum musaDeviceAttr {
	musaDevAttrMaxThreadsPerBlock = 1,
	musaDevAttrMaxBlockDimX = 2,
	musaDevAttrMaxBlockDimY = 3,
	musaDevAttrMaxBlockDimZ = 4,
	musaDevAttrMaxGridDimX = 5,
	musaDevAttrMaxGridDimY = 6,
	musaDevAttrMaxGridDimZ = 7,
	musaDevAttrMaxSharedMemoryPerBlock = 8,
	musaDevAttrTotalConstantMemory = 9,
	musaDevAttrWarpSize = 10,
	musaDevAttrMaxPitch = 11,
	musaDevAttrMaxRegistersPerBlock = 12,
	musaDevAttrClockRate = 13,
	musaDevAttrTextureAlignment = 14,
	musaDevAttrGpuOverlap = 15,
	musaDevAttrMultiProcessorCount = 16,
	musaDevAttrKernelExecTimeout = 17,
	musaDevAttrIntegrated = 18,
	musaDevAttrCanMapHostMemory = 19,
	musaDevAttrComputeMode = 20,
	musaDevAttrMaxTexture1DWidth = 21,
	musaDevAttrMaxTexture2DWidth = 22,
	musaDevAttrMaxTexture2DHeight = 23,
	musaDevAttrMaxTexture3DWidth = 24,
	musaDevAttrMaxTexture3DHeight = 25,
	musaDevAttrMaxTexture3DDepth = 26,
	musaDevAttrMaxTexture2DLayeredWidth = 27,
	musaDevAttrMaxTexture2DLayeredHeight = 28,
	musaDevAttrMaxTexture2DLayeredLayers = 29,
	musaDevAttrSurfaceAlignment = 30,
	musaDevAttrConcurrentKernels = 31,
	musaDevAttrEccEnabled = 32,
	musaDevAttrPciBusId = 33,
	musaDevAttrPciDeviceId = 34,
	musaDevAttrTccDriver = 35,
	musaDevAttrMemoryClockRate = 36,
	musaDevAttrGlobalMemoryBusWidth = 37,
	musaDevAttrL2CacheSize = 38,
	musaDevAttrMaxThreadsPerMultiProcessor = 39,
	musaDevAttrAsyncEngineCount = 40,
	musaDevAttrUnifiedAddressing = 41,
	musaDevAttrMaxTexture1DLayeredWidth = 42,
	musaDevAttrMaxTexture1DLayeredLayers = 43,
	musaDevAttrMaxTexture2DGatherWidth = 45,
	musaDevAttrMaxTexture2DGatherHeight = 46,
	musaDevAttrMaxTexture3DWidthAlt = 47,
	musaDevAttrMaxTexture3DHeightAlt = 48,
	musaDevAttrMaxTexture3DDepthAlt = 49,
	musaDevAttrPciDomainId = 50,
	musaDevAttrTexturePitchAlignment = 51,
	musaDevAttrMaxTextureCubemapWidth = 52,
	musaDevAttrMaxTextureCubemapLayeredWidth = 53,
	musaDevAttrMaxTextureCubemapLayeredLayers = 54,
	musaDevAttrMaxSurface1DWidth = 55,
	musaDevAttrMaxSurface2DWidth = 56,
	musaDevAttrMaxSurface2DHeight = 57,
	musaDevAttrMaxSurface3DWidth = 58,
	musaDevAttrMaxSurface3DHeight = 59,
	musaDevAttrMaxSurface3DDepth = 60,
	musaDevAttrMaxSurface1DLayeredWidth = 61,
	musaDevAttrMaxSurface1DLayeredLayers = 62,
	musaDevAttrMaxSurface2DLayeredWidth = 63,
	musaDevAttrMaxSurface2DLayeredHeight = 64,
	musaDevAttrMaxSurface2DLayeredLayers = 65,
	musaDevAttrMaxSurfaceCubemapWidth = 66,
	musaDevAttrMaxSurfaceCubemapLayeredWidth = 67,
	musaDevAttrMaxSurfaceCubemapLayeredLayers = 68,
	musaDevAttrMaxTexture1DLinearWidth = 69,
	musaDevAttrMaxTexture2DLinearWidth = 70,
	musaDevAttrMaxTexture2DLinearHeight = 71,
	musaDevAttrMaxTexture2DLinearPitch = 72,
	musaDevAttrMaxTexture2DMipmappedWidth = 73,
	musaDevAttrMaxTexture2DMipmappedHeight = 74,
	musaDevAttrComputeCapabilityMajor = 75,
	musaDevAttrComputeCapabilityMinor = 76,
	musaDevAttrMaxTexture1DMipmappedWidth = 77,
	musaDevAttrStreamPrioritiesSupported = 78,
	musaDevAttrGlobalL1CacheSupported = 79,
	musaDevAttrLocalL1CacheSupported = 80,
	musaDevAttrMaxSharedMemoryPerMultiprocessor = 81,
	musaDevAttrMaxRegistersPerMultiprocessor = 82,
	musaDevAttrManagedMemory = 83,
	musaDevAttrIsMultiGpuBoard = 84,
	musaDevAttrMultiGpuBoardGroupID = 85,
	musaDevAttrHostNativeAtomicSupported = 86,
	musaDevAttrSingleToDoublePrecisionPerfRatio = 87,
	musaDevAttrPageableMemoryAccess = 88,
	musaDevAttrConcurrentManagedAccess = 89,
	musaDevAttrComputePreemptionSupported = 90,
	musaDevAttrCanUseHostPointerForRegisteredMem = 91,
	musaDevAttrReserved92 = 92,
	musaDevAttrReserved93 = 93,
	musaDevAttrReserved94 = 94,
	musaDevAttrCooperativeLaunch = 95,
	musaDevAttrCooperativeMultiDeviceLaunch = 96,
	musaDevAttrMaxSharedMemoryPerBlockOptin = 97,
	musaDevAttrCanFlushRemoteWrites = 98,
	musaDevAttrHostRegisterSupported = 99,
	musaDevAttrPageableMemoryAccessUsesHostPageTables = 100,
	musaDevAttrDirectManagedMemAccessFromHost = 101,
	musaDevAttrMaxBlocksPerMultiprocessor = 106,
	musaDevAttrMaxPersistingL2CacheSize = 108,
	musaDevAttrMaxAccessPolicyWindowSize = 109,
	musaDevAttrReservedSharedMemoryPerBlock = 111,
	musaDevAttrSparseMusaArraySupported = 112,
	musaDevAttrHostRegisterReadOnlySupported = 113,
	musaDevAttrTimelineSemaphoreInteropSupported = 114,
	musaDevAttrMaxTimelineSemaphoreInteropSupported = 114,
	musaDevAttrMemoryPoolsSupported = 115,
	musaDevAttrGPUDirectRDMASupported = 116,
	musaDevAttrGPUDirectRDMAFlushWritesOptions = 117,
	musaDevAttrGPUDirectRDMAWritesOrdering = 118,
	musaDevAttrMemoryPoolSupportedHandleTypes = 119,
	musaDevAttrClusterLaunch = 120,
	musaDevAttrDeferredMappingMusaArraySupported = 121,
	musaDevAttrReserved122 = 122,
	musaDevAttrReserved123 = 123,
	musaDevAttrReserved124 = 124,
	musaDevAttrIpcEventSupport = 125,
	musaDevAttrMemSyncDomainCount = 126,
	musaDevAttrReserved127 = 127,
	musaDevAttrReserved128 = 128,
	musaDevAttrReserved129 = 129,
	musaDevAttrNumaConfig = 130,
	musaDevAttrNumaId = 131,
	musaDevAttrReserved132 = 132,
	musaDevAttrMpsEnabled = 133,
	musaDevAttrHostNumaId = 134,
	musaDevAttrMax
};

/** Device properties (musaGetDeviceProperties), CUDA's cudaDeviceProp fields. */
struct musaDeviceProp {
	char name[256];			/* contains "MTT S5000" */
	musaUUID_t uuid;
	char luid[8];
	unsigned int luidDeviceNodeMask;
	size_t totalGlobalMem;		/* bytes of VRAM */
	size_t sharedMemPerBlock;
	int regsPerBlock;
	int warpSize;
	size_t memPitch;
	int maxThreadsPerBlock;
	int maxThreadsDim[3];
	int maxGridSize[3];
	int clockRate;			/* kHz */
	size_t totalConstMem;
	int major;
	int minor;
	size_t textureAlignment;
	size_t texturePitchAlignment;
	int deviceOverlap;
	int multiProcessorCount;
	int kernelExecTimeoutEnabled;
	int integrated;
	int canMapHostMemory;
	int computeMode;
	int maxTexture1D;
	int maxTexture1DMipmap;
	int maxTexture1DLinear;
	int maxTexture2D[2];
	int maxTexture2DMipmap[2];
	int maxTexture2DLinear[3];
	int maxTexture2DGather[2];
	int maxTexture3D[3];
	int maxTexture3DAlt[3];
	int maxTextureCubemap;
	int maxTexture1DLayered[2];
	int maxTexture2DLayered[3];
	int maxTextureCubemapLayered[2];
	int maxSurface1D;
	int maxSurface2D[2];
	int maxSurface3D[3];
	int maxSurface1DLayered[2];
	int maxSurface2DLayered[3];
	int maxSurfaceCubemap;
	int maxSurfaceCubemapLayered[2];
	size_t surfaceAlignment;
	int concurrentKernels;
	int ECCEnabled;
	int pciBusID;
	int pciDeviceID;
	int pciDomainID;
	int tccDriver;
	int asyncEngineCount;
	int unifiedAddressing;
	int memoryClockRate;		/* kHz */
	int memoryBusWidth;		/* bits */
	int l2CacheSize;
	int persistingL2CacheMaxSize;
	int maxThreadsPerMultiProcessor;
	int streamPrioritiesSupported;
	int globalL1CacheSupported;
	int localL1CacheSupported;
	size_t sharedMemPerMultiprocessor;
	int regsPerMultiprocessor;
	int managedMemory;
	int isMultiGpuBoard;
	int multiGpuBoardGroupID;
	int hostNativeAtomicSupported;
	int singleToDoublePrecisionPerfRatio;
	int pageableMemoryAccess;
	int concurrentManagedAccess;
	int computePreemptionSupported;
	int canUseHostPointerForRegisteredMem;
	int cooperativeLaunch;
	int cooperativeMultiDeviceLaunch;
	size_t sharedMemPerBlockOptin;
	int pageableMemoryAccessUsesHostPageTables;
	int directManagedMemAccessFromHost;
	int maxBlocksPerMultiProcessor;
	int accessPolicyMaxWindowSize;
	size_t reservedSharedMemPerBlock;
	int hostRegisterSupported;
	int sparseMusaArraySupported;
	int hostRegisterReadOnlySupported;
	int timelineSemaphoreInteropSupported;
	int memoryPoolsSupported;
	int gpuDirectRDMASupported;
	unsigned int gpuDirectRDMAFlushWritesOptions;
	int gpuDirectRDMAWritesOrdering;
	unsigned int memoryPoolSupportedHandleTypes;
	int deferredMappingMusaArraySupported;
	int ipcEventSupported;
	int clusterLaunch;
	int unifiedFunctionPointers;
	int reserved2[2];
	int reserved1[1];
	int reserved[60];
};

#ifndef MUSA_DIM3_DEFINED
#define MUSA_DIM3_DEFINED
/** Grid and block dimensions; unused dimensions are 1. */
struct dim3 {
	unsigned int x, y, z;
#if defined(__cplusplus)
	constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1)
		: x(vx), y(vy), z(vz) {}
#endif
};
typedef struct dim3 dim3;
#endif

/** Function attributes (musaFuncSetAttribute); the numbers are CUDA's. */
enum musaFuncAttribute {
	musaFuncAttributeMaxDynamicSharedMemorySize = 8,
	musaFuncAttributePreferredSharedMemoryCarveout = 9,
	musaFuncAttributeClusterDimMustBeSet = 10,
	musaFuncAttributeRequiredClusterWidth = 11,
	musaFuncAttributeRequiredClusterHeight = 12,
	musaFuncAttributeRequiredClusterDepth = 13,
	musaFuncAttributeNonPortableClusterSizeAllowed = 14,
	musaFuncAttributeClusterSchedulingPolicyPreference = 15,
	musaFuncAttributeMax
};

/** A kernel's attributes (musaFuncGetAttributes), CUDA's cudaFuncAttributes. */
struct musaFuncAttributes {
	size_t sharedSizeBytes;		/* static shared memory */
	size_t constSizeBytes;		/* 0 */
	size_t localSizeBytes;		/* stack per thread */
	int maxThreadsPerBlock;
	int numRegs;			/* 64: x0-x31 and f0-f31 */
	int ptxVersion;			/* 31 */
	int binaryVersion;		/* 31 */
	int cacheModeCA;
	int maxDynamicSharedSizeBytes;	/* what a launch may ask for */
	int preferredShmemCarveout;	/* -1: none */
	int clusterDimMustBeSet;
	int requiredClusterWidth;
	int requiredClusterHeight;
	int requiredClusterDepth;
	int clusterSchedulingPolicyPreference;
	int nonPortableClusterSizeAllowed;
	int reserved[16];
};

/* musaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags flags. */
#define musaOccupancyDefault			0x00
#define musaOccupancyDisableCachingOverride	0x01

/** A host function run in stream order (musaLaunchHostFunc). */
typedef void (MUSART_CB *musaHostFn_t)(void *userData);
/** A stream callback (musaStreamAddCallback); @status is the stream's error state. */
typedef void (MUSART_CB *musaStreamCallback_t)(musaStream_t stream, musaError_t status,
					       void *userData);

/* -------------------------------------------------------------- errors */

/** musaGetLastError - the calling thread's last error; resets it to musaSuccess
 *  (unless a sticky device fault keeps it). */
musaError_t musaGetLastError(void);

/** musaPeekAtLastError - the calling thread's last error, left as it is. */
musaError_t musaPeekAtLastError(void);

/** musaGetErrorName - the enum name ("musaErrorInvalidValue"), or
 *  "unrecognized error code". */
const char *musaGetErrorName(musaError_t error);

/** musaGetErrorString - what the error means ("invalid argument"), or
 *  "unrecognized error code". */
const char *musaGetErrorString(musaError_t error);

/**
 * musaGetLastErrorDetail - what the calling thread's most recent failing call (of
 * either API) found wrong, in words: the call, the argument or object, and for
 * device faults the queue, the packet and the address, e.g.
 * "queue 1 faulted: read at GPU VA 0x800000200000 not mapped (COPY 0x800000200000
 * -> 0x800000000000, 4096 bytes, stream 0)". "" when no call has failed yet.
 * Not cleared by musaGetLastError. The string stays valid until the thread's next
 * failing call.
 */
const char *musaGetLastErrorDetail(void);

/* ------------------------------------------------------------- devices */

/** musaGetDeviceCount - visible devices; musaErrorNoDevice (and 0) if none. */
musaError_t musaGetDeviceCount(int *count);

/** musaSetDevice - the calling thread's current device (musaErrorInvalidDevice). */
musaError_t musaSetDevice(int device);

/** musaGetDevice - the calling thread's current device (0 unless set). */
musaError_t musaGetDevice(int *device);

/** musaGetDeviceProperties - every property of @device. */
musaError_t musaGetDeviceProperties(struct musaDeviceProp *prop, int device);

/** musaDeviceGetAttribute - one property; musaErrorInvalidValue for an unknown @attr. */
musaError_t musaDeviceGetAttribute(int *value, enum musaDeviceAttr attr, int device);

/** musaDeviceGetPCIBusId - "dddd:bb:dd.f", truncated to @len - 1 bytes. */
musaError_t musaDeviceGetPCIBusId(char *pciBusId, int len, int device);

/** musaDeviceGetByPCIBusId - the ordinal of the device at @pciBusId ("bb:dd.f" or
 *  "dddd:bb:dd.f"), musaErrorInvalidDevice if none. */
musaError_t musaDeviceGetByPCIBusId(int *device, const char *pciBusId);

/** musaDeviceSynchronize - wait for all work of the current device's context. */
musaError_t musaDeviceSynchronize(void);

/**
 * musaDeviceReset - destroy the current device's primary context: all its memory
 * (device and pinned host), streams and events. The next call creates a new one.
 * A sticky fault stays: the process must exit to use the device again.
 */
musaError_t musaDeviceReset(void);

/** musaSetDeviceFlags - musaDeviceSchedule* (how waits spin or sleep), MapHost. */
musaError_t musaSetDeviceFlags(unsigned int flags);

/** musaGetDeviceFlags - the current device's flags (always with musaDeviceMapHost). */
musaError_t musaGetDeviceFlags(unsigned int *flags);

/** musaDeviceGetStreamPriorityRange - 0 (least) and -3 (greatest). */
musaError_t musaDeviceGetStreamPriorityRange(int *leastPriority, int *greatestPriority);

/** musaDriverGetVersion - musa.ko's version as 1000 * major + 10 * minor; 0 if absent. */
musaError_t musaDriverGetVersion(int *driverVersion);

/** musaRuntimeGetVersion - MUSART_VERSION of this library. */
musaError_t musaRuntimeGetVersion(int *runtimeVersion);

/* -------------------------------------------------------------- memory */

/** musaMalloc - device memory (VRAM); size 0 gives NULL; musaErrorMemoryAllocation. */
musaError_t musaMalloc(void **devPtr, size_t size);

/** musaFree - free musaMalloc memory (NULL is fine); waits for the device first. */
musaError_t musaFree(void *devPtr);

/** musaMallocHost - pinned host memory, reached by the device at the same address. */
musaError_t musaMallocHost(void **ptr, size_t size);

/** musaHostAlloc - musaMallocHost with musaHostAlloc* flags. */
musaError_t musaHostAlloc(void **pHost, size_t size, unsigned int flags);

/** musaFreeHost - free musaMallocHost/musaHostAlloc memory; waits for the device. */
musaError_t musaFreeHost(void *ptr);

/**
 * musaHostRegister - pin existing host memory and map it for the device at its own
 * address. musaErrorHostMemoryAlreadyRegistered if part of it is registered or
 * pinned already; musaErrorInvalidValue for memory that is not mapped (writable,
 * unless musaHostRegisterReadOnly).
 */
musaError_t musaHostRegister(void *ptr, size_t size, unsigned int flags);

/** musaHostUnregister - undo musaHostRegister (musaErrorHostMemoryNotRegistered). */
musaError_t musaHostUnregister(void *ptr);

/** musaHostGetDevicePointer - the device address of pinned memory (the same). */
musaError_t musaHostGetDevicePointer(void **pDevice, void *pHost, unsigned int flags);

/** musaHostGetFlags - the flags pinned memory was allocated or registered with. */
musaError_t musaHostGetFlags(unsigned int *pFlags, void *pHost);

/** musaMemGetInfo - free and total device memory, over all processes. */
musaError_t musaMemGetInfo(size_t *free, size_t *total);

/** musaPointerGetAttributes - what @ptr points to; musaErrorInvalidValue for an
 *  address in device range that is not allocated. */
musaError_t musaPointerGetAttributes(struct musaPointerAttributes *attributes,
				     const void *ptr);

/**
 * musaMemcpy - copy @count bytes; the ranges must not overlap
 *
 * Waits as CUDA does: from pageable host memory it returns once the data is
 * staged; to host memory and from pinned host memory once the copy is done;
 * between device addresses it does not wait. musaErrorInvalidMemcpyDirection for a
 * bad @kind; musaErrorInvalidValue for a pointer that does not fit @kind or a range
 * that runs past the end of its allocation.
 */
musaError_t musaMemcpy(void *dst, const void *src, size_t count, enum musaMemcpyKind kind);

/** musaMemcpyAsync - musaMemcpy in @stream; returns at once unless host memory is
 *  pageable (then as musaMemcpy). */
musaError_t musaMemcpyAsync(void *dst, const void *src, size_t count,
			    enum musaMemcpyKind kind, musaStream_t stream);

/** musaMemset - fill @count bytes of device (or pinned) memory with @value. */
musaError_t musaMemset(void *devPtr, int value, size_t count);

/** musaMemsetAsync - musaMemset in @stream. */
musaError_t musaMemsetAsync(void *devPtr, int value, size_t count, musaStream_t stream);

/* ------------------------------------------------------------- streams */

musaError_t musaStreamCreate(musaStream_t *pStream);

/** musaStreamCreateWithFlags - musaStreamDefault or musaStreamNonBlocking. */
musaError_t musaStreamCreateWithFlags(musaStream_t *pStream, unsigned int flags);

/** musaStreamCreateWithPriority - @priority is clamped to [-3, 0]; lower runs first. */
musaError_t musaStreamCreateWithPriority(musaStream_t *pStream, unsigned int flags,
					 int priority);

/** musaStreamDestroy - returns at once; the stream's work still completes. */
musaError_t musaStreamDestroy(musaStream_t stream);

/** musaStreamSynchronize - wait for the stream's work (for stream 0: with the work
 *  of blocking streams it implicitly waits for). */
musaError_t musaStreamSynchronize(musaStream_t stream);

/** musaStreamQuery - musaSuccess when done, musaErrorNotReady otherwise. */
musaError_t musaStreamQuery(musaStream_t stream);

/** musaStreamWaitEvent - later work in @stream waits for @event's last record. */
musaError_t musaStreamWaitEvent(musaStream_t stream, musaEvent_t event, unsigned int flags);

/** musaStreamGetFlags - the flags the stream was created with. */
musaError_t musaStreamGetFlags(musaStream_t hStream, unsigned int *flags);

/** musaStreamGetPriority - the stream's (clamped) priority. */
musaError_t musaStreamGetPriority(musaStream_t hStream, int *priority);

/**
 * musaLaunchHostFunc - run @fn(@userData) on a library thread once the stream's
 * earlier work is done; the stream's later work waits until @fn returns. @fn must
 * not call libmusa. Not run if the device faulted.
 */
musaError_t musaLaunchHostFunc(musaStream_t stream, musaHostFn_t fn, void *userData);

/** musaStreamAddCallback - as musaLaunchHostFunc, with the stream's status; @flags 0. */
musaError_t musaStreamAddCallback(musaStream_t stream, musaStreamCallback_t callback,
				  void *userData, unsigned int flags);

/* -------------------------------------------------------------- events */

musaError_t musaEventCreate(musaEvent_t *event);

/** musaEventCreateWithFlags - musaEventDefault, BlockingSync (waits sleep at once),
 *  DisableTiming (no timestamps). */
musaError_t musaEventCreateWithFlags(musaEvent_t *event, unsigned int flags);

/** musaEventRecord - the event completes when @stream's work so far has. */
musaError_t musaEventRecord(musaEvent_t event, musaStream_t stream);

/** musaEventRecordWithFlags - @flags musaEventRecordDefault. */
musaError_t musaEventRecordWithFlags(musaEvent_t event, musaStream_t stream,
				     unsigned int flags);

/** musaEventQuery - musaSuccess if complete or never recorded, else musaErrorNotReady. */
musaError_t musaEventQuery(musaEvent_t event);

/** musaEventSynchronize - wait for the event's last record. */
musaError_t musaEventSynchronize(musaEvent_t event);

/**
 * musaEventElapsedTime - milliseconds between the device timestamps of two records
 * (10 ns resolution). musaErrorNotReady if either is pending;
 * musaErrorInvalidResourceHandle if either was never recorded or has no timing.
 */
musaError_t musaEventElapsedTime(float *ms, musaEvent_t start, musaEvent_t end);

/** musaEventDestroy - destroy the event; a pending record still completes. */
musaError_t musaEventDestroy(musaEvent_t event);

/* ------------------------------------------------------------- kernels */

/**
 * musaLaunchKernel - run @func over @gridDim blocks of @blockDim threads in @stream
 * @func: a kernel, the MUfunction of a loaded module cast to const void *
 * @args: one pointer per kernel parameter, to its value (copied before returning)
 * @sharedMem: dynamic shared memory per block, at most the kernel's
 *             musaFuncAttributeMaxDynamicSharedMemorySize (48 KiB less its static
 *             shared memory unless raised)
 *
 * Returns at once. musaErrorInvalidDeviceFunction when @func is not a loaded
 * kernel; musaErrorInvalidConfiguration for a zero dimension, a block of more than
 * 1024 threads (1024 x 1024 x 64 at most) or a grid beyond (2^31 - 1) x 65535 x
 * 65535; musaErrorLaunchOutOfResources for more threads than the kernel allows;
 * musaErrorInvalidValue for too much shared memory or missing arguments. Faults
 * while it runs are sticky (see musaErrorIllegalAddress, musaErrorLaunchTimeout,
 * musaErrorAssert, musaErrorIllegalInstruction, musaErrorMisalignedAddress,
 * musaErrorLaunchFailure) and reported by later calls.
 */
musaError_t musaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args,
			     size_t sharedMem, musaStream_t stream);

/** musaFuncGetAttributes - what the kernel @func needs and allows. */
musaError_t musaFuncGetAttributes(struct musaFuncAttributes *attr, const void *func);

/**
 * musaFuncSetAttribute - musaFuncAttributeMaxDynamicSharedMemorySize (up to the
 * device's sharedMemPerBlockOptin less the kernel's static shared memory) or
 * musaFuncAttributePreferredSharedMemoryCarveout (-1 to 100, a hint);
 * musaErrorInvalidValue otherwise.
 */
musaError_t musaFuncSetAttribute(const void *func, enum musaFuncAttribute attr, int value);

/**
 * musaOccupancyMaxActiveBlocksPerMultiprocessor - how many blocks of @blockSize
 * threads with @dynamicSMemSize bytes of dynamic shared memory one multiprocessor
 * holds at once (0 if such a block cannot be launched at all)
 */
musaError_t musaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, const void *func,
							  int blockSize,
							  size_t dynamicSMemSize);

/** ...WithFlags - @flags musaOccupancyDefault or musaOccupancyDisableCachingOverride. */
musaError_t musaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int *numBlocks,
								   const void *func,
								   int blockSize,
								   size_t dynamicSMemSize,
								   unsigned int flags);

/**
 * musaOccupancyMaxPotentialBlockSize - the block size that keeps the most threads
 * of @func resident (a multiple of 32, at most @blockSizeLimit if nonzero), and
 * the smallest grid that fills every multiprocessor with it. CUDA's is a C++
 * template; this is its C form with the same parameters.
 */
musaError_t musaOccupancyMaxPotentialBlockSize(int *minGridSize, int *blockSize,
					       const void *func, size_t dynamicSMemSize,
					       int blockSizeLimit);

/** musaOccupancyAvailableDynamicSMemPerBlock - dynamic shared memory per block that
 *  still lets @numBlocks blocks of @blockSize threads share a multiprocessor. */
musaError_t musaOccupancyAvailableDynamicSMemPerBlock(size_t *dynamicSmemSize,
						      const void *func, int numBlocks,
						      int blockSize);

#if defined(__cplusplus)
}
#endif

#endif /* MUSA_RUNTIME_H */
