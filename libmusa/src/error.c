// SPDX-License-Identifier: MIT
/*
 * error.c: error codes (names and meanings for both APIs), the per-thread last
 * error and detail string, and the log (MUSA_LOG, MUSA_LOG_FILE).
 *
 * Whatever detects a failure calls musa_fail(), which words it into the thread's
 * detail string; the API entry point then records the code (runtime API) and logs
 * one line at level "error".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "musa_internal.h"

struct musa_config musa_config = { .max_connections = 4 };
__thread struct musa_thread musa_tls;
static __thread bool musa_detail_fresh;
static FILE *musa_log_file;
pthread_mutex_t musa_log_lock = PTHREAD_MUTEX_INITIALIZER;

struct musa_error_info {
	int code;
	const char *rt_name;		/* NULL: not a runtime API code */
	const char *drv_name;		/* NULL: not a driver API code */
	const char *text;
};

#define E(code, rt, drv, text) { code, rt, drv, text }

static const struct musa_error_info musa_errors[] = {
	E(0, "musaSuccess", "MUSA_SUCCESS", "no error"),
	E(1, "musaErrorInvalidValue", "MUSA_ERROR_INVALID_VALUE", "invalid argument"),
	E(2, "musaErrorMemoryAllocation", "MUSA_ERROR_OUT_OF_MEMORY", "out of memory"),
	E(3, "musaErrorInitializationError", "MUSA_ERROR_NOT_INITIALIZED", "initialization error"),
	E(4, "musaErrorMusartUnloading", "MUSA_ERROR_DEINITIALIZED", "driver shutting down"),
	E(5, "musaErrorProfilerDisabled", "MUSA_ERROR_PROFILER_DISABLED",
	  "profiler disabled while using external profiling tool"),
	E(6, "musaErrorProfilerNotInitialized", "MUSA_ERROR_PROFILER_NOT_INITIALIZED",
	  "profiler not initialized"),
	E(7, "musaErrorProfilerAlreadyStarted", "MUSA_ERROR_PROFILER_ALREADY_STARTED",
	  "profiler already started"),
	E(8, "musaErrorProfilerAlreadyStopped", "MUSA_ERROR_PROFILER_ALREADY_STOPPED",
	  "profiler already stopped"),
	E(9, "musaErrorInvalidConfiguration", NULL, "invalid configuration argument"),
	E(12, "musaErrorInvalidPitchValue", NULL, "invalid pitch argument"),
	E(13, "musaErrorInvalidSymbol", NULL, "invalid device symbol"),
	E(16, "musaErrorInvalidHostPointer", NULL, "invalid host pointer"),
	E(17, "musaErrorInvalidDevicePointer", NULL, "invalid device pointer"),
	E(18, "musaErrorInvalidTexture", NULL, "invalid texture reference"),
	E(19, "musaErrorInvalidTextureBinding", NULL, "texture is not bound to a pointer"),
	E(20, "musaErrorInvalidChannelDescriptor", NULL, "invalid channel descriptor"),
	E(21, "musaErrorInvalidMemcpyDirection", NULL, "invalid copy direction for memcpy"),
	E(22, "musaErrorAddressOfConstant", NULL, "invalid address of constant"),
	E(23, "musaErrorTextureFetchFailed", NULL, "fetch from texture failed"),
	E(24, "musaErrorTextureNotBound", NULL, "cannot fetch from a texture that is not bound"),
	E(25, "musaErrorSynchronizationError", NULL, "incorrect use of __syncthreads()"),
	E(26, "musaErrorInvalidFilterSetting", NULL,
	  "linear filtering not supported for non-float type"),
	E(27, "musaErrorInvalidNormSetting", NULL,
	  "read as normalized float not supported for 32-bit non float type"),
	E(28, "musaErrorMixedDeviceExecution", NULL,
	  "mixing of device and device emulation code not allowed"),
	E(31, "musaErrorNotYetImplemented", NULL, "feature not yet implemented"),
	E(32, "musaErrorMemoryValueTooLarge", NULL,
	  "memory size or pointer value too large to fit in 32 bit"),
	E(34, "musaErrorStubLibrary", "MUSA_ERROR_STUB_LIBRARY",
	  "MUSA driver is a stub library"),
	E(35, "musaErrorInsufficientDriver", NULL,
	  "MUSA driver version is insufficient for MUSA runtime version"),
	E(36, "musaErrorCallRequiresNewerDriver", NULL,
	  "API call is not supported in the installed MUSA driver"),
	E(37, "musaErrorInvalidSurface", NULL, "invalid surface reference"),
	E(43, "musaErrorDuplicateVariableName", NULL,
	  "duplicate global variable looked up by string name"),
	E(44, "musaErrorDuplicateTextureName", NULL, "duplicate texture looked up by string name"),
	E(45, "musaErrorDuplicateSurfaceName", NULL, "duplicate surface looked up by string name"),
	E(46, "musaErrorDevicesUnavailable", "MUSA_ERROR_DEVICE_UNAVAILABLE",
	  "all MUSA-capable devices are busy or unavailable"),
	E(49, "musaErrorIncompatibleDriverContext", NULL,
	  "the current context is not compatible with the MUSA runtime"),
	E(52, "musaErrorMissingConfiguration", NULL, "__global__ function call is not configured"),
	E(53, "musaErrorPriorLaunchFailure", NULL, "unspecified launch failure in prior launch"),
	E(65, "musaErrorLaunchMaxDepthExceeded", NULL,
	  "launch would exceed maximum depth of nested launches"),
	E(66, "musaErrorLaunchFileScopedTex", NULL,
	  "launch failed because kernel uses unsupported, file-scoped textures"),
	E(67, "musaErrorLaunchFileScopedSurf", NULL,
	  "launch failed because kernel uses unsupported, file-scoped surfaces"),
	E(68, "musaErrorSyncDepthExceeded", NULL,
	  "synchronization failed because the caller's grid depth exceeds the limit"),
	E(69, "musaErrorLaunchPendingCountExceeded", NULL,
	  "launch failed because launch would exceed the pending launch count limit"),
	E(98, "musaErrorInvalidDeviceFunction", NULL, "invalid device function"),
	E(100, "musaErrorNoDevice", "MUSA_ERROR_NO_DEVICE", "no MUSA-capable device is detected"),
	E(101, "musaErrorInvalidDevice", "MUSA_ERROR_INVALID_DEVICE", "invalid device ordinal"),
	E(102, "musaErrorDeviceNotLicensed", "MUSA_ERROR_DEVICE_NOT_LICENSED",
	  "device doesn't have valid license"),
	E(103, "musaErrorSoftwareValidityNotEstablished", NULL, "integrity checks failed"),
	E(127, "musaErrorStartupFailure", NULL, "startup failure in musart"),
	E(200, "musaErrorInvalidKernelImage", "MUSA_ERROR_INVALID_IMAGE",
	  "device kernel image is invalid"),
	E(201, "musaErrorDeviceUninitialized", "MUSA_ERROR_INVALID_CONTEXT",
	  "invalid device context"),
	E(202, NULL, "MUSA_ERROR_CONTEXT_ALREADY_CURRENT", "context already current"),
	E(205, "musaErrorMapBufferObjectFailed", "MUSA_ERROR_MAP_FAILED",
	  "mapping of buffer object failed"),
	E(206, "musaErrorUnmapBufferObjectFailed", "MUSA_ERROR_UNMAP_FAILED",
	  "unmapping of buffer object failed"),
	E(207, "musaErrorArrayIsMapped", "MUSA_ERROR_ARRAY_IS_MAPPED", "array is mapped"),
	E(208, "musaErrorAlreadyMapped", "MUSA_ERROR_ALREADY_MAPPED", "resource already mapped"),
	E(209, "musaErrorNoKernelImageForDevice", "MUSA_ERROR_NO_BINARY_FOR_GPU",
	  "no kernel image is available for execution on the device"),
	E(210, "musaErrorAlreadyAcquired", "MUSA_ERROR_ALREADY_ACQUIRED",
	  "resource already acquired"),
	E(211, "musaErrorNotMapped", "MUSA_ERROR_NOT_MAPPED", "resource not mapped"),
	E(212, "musaErrorNotMappedAsArray", "MUSA_ERROR_NOT_MAPPED_AS_ARRAY",
	  "resource not mapped as array"),
	E(213, "musaErrorNotMappedAsPointer", "MUSA_ERROR_NOT_MAPPED_AS_POINTER",
	  "resource not mapped as pointer"),
	E(214, "musaErrorECCUncorrectable", "MUSA_ERROR_ECC_UNCORRECTABLE",
	  "uncorrectable ECC error encountered"),
	E(215, "musaErrorUnsupportedLimit", "MUSA_ERROR_UNSUPPORTED_LIMIT",
	  "limit is not supported on this architecture"),
	E(216, "musaErrorDeviceAlreadyInUse", "MUSA_ERROR_CONTEXT_ALREADY_IN_USE",
	  "exclusive-thread device already in use by a different thread"),
	E(217, "musaErrorPeerAccessUnsupported", "MUSA_ERROR_PEER_ACCESS_UNSUPPORTED",
	  "peer access is not supported between these two devices"),
	E(218, "musaErrorInvalidPtx", "MUSA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"),
	E(219, "musaErrorInvalidGraphicsContext", "MUSA_ERROR_INVALID_GRAPHICS_CONTEXT",
	  "invalid OpenGL or DirectX context"),
	E(220, "musaErrorNvlinkUncorrectable", "MUSA_ERROR_NVLINK_UNCORRECTABLE",
	  "uncorrectable link error detected during the execution"),
	E(221, "musaErrorJitCompilerNotFound", "MUSA_ERROR_JIT_COMPILER_NOT_FOUND",
	  "PTX JIT compiler library not found"),
	E(222, "musaErrorUnsupportedPtxVersion", "MUSA_ERROR_UNSUPPORTED_PTX_VERSION",
	  "the provided PTX was compiled with an unsupported toolchain"),
	E(223, "musaErrorJitCompilationDisabled", "MUSA_ERROR_JIT_COMPILATION_DISABLED",
	  "PTX JIT compilation was disabled"),
	E(224, "musaErrorUnsupportedExecAffinity", "MUSA_ERROR_UNSUPPORTED_EXEC_AFFINITY",
	  "the provided execution affinity is not supported"),
	E(225, "musaErrorUnsupportedDevSideSync", "MUSA_ERROR_UNSUPPORTED_DEVSIDE_SYNC",
	  "device-side synchronization is not supported"),
	E(300, "musaErrorInvalidSource", "MUSA_ERROR_INVALID_SOURCE", "invalid source"),
	E(301, "musaErrorFileNotFound", "MUSA_ERROR_FILE_NOT_FOUND", "file not found"),
	E(302, "musaErrorSharedObjectSymbolNotFound", "MUSA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND",
	  "shared object symbol not found"),
	E(303, "musaErrorSharedObjectInitFailed", "MUSA_ERROR_SHARED_OBJECT_INIT_FAILED",
	  "shared object initialization failed"),
	E(304, "musaErrorOperatingSystem", "MUSA_ERROR_OPERATING_SYSTEM",
	  "OS call failed or operation not supported on this OS"),
	E(400, "musaErrorInvalidResourceHandle", "MUSA_ERROR_INVALID_HANDLE",
	  "invalid resource handle"),
	E(401, "musaErrorIllegalState", "MUSA_ERROR_ILLEGAL_STATE",
	  "the operation cannot be performed in the present state"),
	E(402, "musaErrorLossyQuery", "MUSA_ERROR_LOSSY_QUERY",
	  "attempted introspection would be semantically lossy"),
	E(500, "musaErrorSymbolNotFound", "MUSA_ERROR_NOT_FOUND", "named symbol not found"),
	E(600, "musaErrorNotReady", "MUSA_ERROR_NOT_READY", "device not ready"),
	E(700, "musaErrorIllegalAddress", "MUSA_ERROR_ILLEGAL_ADDRESS",
	  "an illegal memory access was encountered"),
	E(701, "musaErrorLaunchOutOfResources", "MUSA_ERROR_LAUNCH_OUT_OF_RESOURCES",
	  "too many resources requested for launch"),
	E(702, "musaErrorLaunchTimeout", "MUSA_ERROR_LAUNCH_TIMEOUT",
	  "the launch timed out and was terminated"),
	E(703, "musaErrorLaunchIncompatibleTexturing", "MUSA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING",
	  "launch uses incompatible texturing mode"),
	E(704, "musaErrorPeerAccessAlreadyEnabled", "MUSA_ERROR_PEER_ACCESS_ALREADY_ENABLED",
	  "peer access is already enabled"),
	E(705, "musaErrorPeerAccessNotEnabled", "MUSA_ERROR_PEER_ACCESS_NOT_ENABLED",
	  "peer access has not been enabled"),
	E(708, "musaErrorSetOnActiveProcess", "MUSA_ERROR_PRIMARY_CONTEXT_ACTIVE",
	  "cannot set while device is active in this process"),
	E(709, "musaErrorContextIsDestroyed", "MUSA_ERROR_CONTEXT_IS_DESTROYED",
	  "context is destroyed"),
	E(710, "musaErrorAssert", "MUSA_ERROR_ASSERT", "device-side assert triggered"),
	E(711, "musaErrorTooManyPeers", "MUSA_ERROR_TOO_MANY_PEERS",
	  "peer mapping resources exhausted"),
	E(712, "musaErrorHostMemoryAlreadyRegistered", "MUSA_ERROR_HOST_MEMORY_ALREADY_REGISTERED",
	  "part or all of the requested memory range is already mapped"),
	E(713, "musaErrorHostMemoryNotRegistered", "MUSA_ERROR_HOST_MEMORY_NOT_REGISTERED",
	  "pointer does not correspond to a registered memory region"),
	E(714, "musaErrorHardwareStackError", "MUSA_ERROR_HARDWARE_STACK_ERROR",
	  "hardware stack error"),
	E(715, "musaErrorIllegalInstruction", "MUSA_ERROR_ILLEGAL_INSTRUCTION",
	  "an illegal instruction was encountered"),
	E(716, "musaErrorMisalignedAddress", "MUSA_ERROR_MISALIGNED_ADDRESS", "misaligned address"),
	E(717, "musaErrorInvalidAddressSpace", "MUSA_ERROR_INVALID_ADDRESS_SPACE",
	  "operation not supported on global/shared address space"),
	E(718, "musaErrorInvalidPc", "MUSA_ERROR_INVALID_PC", "invalid program counter"),
	E(719, "musaErrorLaunchFailure", "MUSA_ERROR_LAUNCH_FAILED", "unspecified launch failure"),
	E(720, "musaErrorCooperativeLaunchTooLarge", "MUSA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE",
	  "too many blocks in cooperative launch"),
	E(800, "musaErrorNotPermitted", "MUSA_ERROR_NOT_PERMITTED", "operation not permitted"),
	E(801, "musaErrorNotSupported", "MUSA_ERROR_NOT_SUPPORTED", "operation not supported"),
	E(802, "musaErrorSystemNotReady", "MUSA_ERROR_SYSTEM_NOT_READY",
	  "system not yet initialized"),
	E(803, "musaErrorSystemDriverMismatch", "MUSA_ERROR_SYSTEM_DRIVER_MISMATCH",
	  "system has unsupported display driver / musa driver combination"),
	E(804, "musaErrorCompatNotSupportedOnDevice", "MUSA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
	  "forward compatibility was attempted on non supported HW"),
	E(805, "musaErrorMpsConnectionFailed", "MUSA_ERROR_MPS_CONNECTION_FAILED",
	  "MPS client failed to connect to the MPS control daemon or the MPS server"),
	E(806, "musaErrorMpsRpcFailure", "MUSA_ERROR_MPS_RPC_FAILURE",
	  "the remote procedural call between the MPS server and the MPS client failed"),
	E(807, "musaErrorMpsServerNotReady", "MUSA_ERROR_MPS_SERVER_NOT_READY",
	  "MPS server is not ready to accept new MPS client requests"),
	E(808, "musaErrorMpsMaxClientsReached", "MUSA_ERROR_MPS_MAX_CLIENTS_REACHED",
	  "the hardware resources required to create MPS client have been exhausted"),
	E(809, "musaErrorMpsMaxConnectionsReached", "MUSA_ERROR_MPS_MAX_CONNECTIONS_REACHED",
	  "the hardware resources required to support device connections have been exhausted"),
	E(810, "musaErrorMpsClientTerminated", "MUSA_ERROR_MPS_CLIENT_TERMINATED",
	  "the MPS client has been terminated by the server"),
	E(811, "musaErrorCdpNotSupported", "MUSA_ERROR_CDP_NOT_SUPPORTED",
	  "dynamic parallelism is not supported in this configuration"),
	E(812, "musaErrorCdpVersionMismatch", "MUSA_ERROR_CDP_VERSION_MISMATCH",
	  "unsupported interaction between different versions of dynamic parallelism"),
	E(900, "musaErrorStreamCaptureUnsupported", "MUSA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
	  "operation not permitted when stream is capturing"),
	E(901, "musaErrorStreamCaptureInvalidated", "MUSA_ERROR_STREAM_CAPTURE_INVALIDATED",
	  "operation failed due to a previous error during capture"),
	E(902, "musaErrorStreamCaptureMerge", "MUSA_ERROR_STREAM_CAPTURE_MERGE",
	  "operation would result in a merge of separate capture sequences"),
	E(903, "musaErrorStreamCaptureUnmatched", "MUSA_ERROR_STREAM_CAPTURE_UNMATCHED",
	  "capture was not ended in the same stream as it began"),
	E(904, "musaErrorStreamCaptureUnjoined", "MUSA_ERROR_STREAM_CAPTURE_UNJOINED",
	  "capturing stream has unjoined work"),
	E(905, "musaErrorStreamCaptureIsolation", "MUSA_ERROR_STREAM_CAPTURE_ISOLATION",
	  "dependency created on uncaptured work in another stream"),
	E(906, "musaErrorStreamCaptureImplicit", "MUSA_ERROR_STREAM_CAPTURE_IMPLICIT",
	  "operation would make the legacy stream depend on a capturing blocking stream"),
	E(907, "musaErrorCapturedEvent", "MUSA_ERROR_CAPTURED_EVENT",
	  "operation not permitted on an event last recorded in a capturing stream"),
	E(908, "musaErrorStreamCaptureWrongThread", "MUSA_ERROR_STREAM_CAPTURE_WRONG_THREAD",
	  "attempt to terminate a thread-local capture sequence from another thread"),
	E(909, "musaErrorTimeout", "MUSA_ERROR_TIMEOUT", "wait operation timed out"),
	E(910, "musaErrorGraphExecUpdateFailure", "MUSA_ERROR_GRAPH_EXEC_UPDATE_FAILURE",
	  "the graph update was not performed because it included changes which violated "
	  "constraints specific to instantiated graph update"),
	E(911, "musaErrorExternalDevice", "MUSA_ERROR_EXTERNAL_DEVICE",
	  "an async error has occurred in external entity outside of MUSA"),
	E(912, "musaErrorInvalidClusterSize", "MUSA_ERROR_INVALID_CLUSTER_SIZE",
	  "a kernel launch error has occurred due to cluster misconfiguration"),
	E(999, "musaErrorUnknown", "MUSA_ERROR_UNKNOWN", "unknown error"),
	E(10000, "musaErrorApiFailureBase", NULL, "api failure base"),
};

static const struct musa_error_info *musa_error_lookup(int code)
{
	for (size_t i = 0; i < MUSA_ARRAY_SIZE(musa_errors); i++)
		if (musa_errors[i].code == code)
			return &musa_errors[i];
	return NULL;
}

/* ------------------------------------------------------------------- log */

/*
 * MUSA_LOG: comma-separated words: a level (error: failing calls and device faults;
 * warn; info: devices, contexts, queues; debug: every API call and its result, or
 * 0-4) and "packets" for a line per packet written into a queue. MUSA_LOG_FILE:
 * append the lines there instead of stderr.
 */
void musa_log_open(const char *spec, const char *file)
{
	static const char *const levels[] = { "off", "error", "warn", "info", "debug" };
	char buf[128], *word, *save = NULL;

	musa_config.log_level = MUSA_LOG_OFF;
	musa_config.log_packets = false;
	if (!spec || !*spec)
		return;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (word = strtok_r(buf, ",: ", &save); word; word = strtok_r(NULL, ",: ", &save)) {
		bool known = false;

		if (!strcmp(word, "packets") || !strcmp(word, "trace")) {
			musa_config.log_packets = true;
			known = true;
		}
		for (int l = 0; l < (int)MUSA_ARRAY_SIZE(levels) && !known; l++) {
			if (strcmp(word, levels[l]) && !(word[0] == '0' + l && !word[1]))
				continue;
			musa_config.log_level = l;
			known = true;
		}
		if (!known)
			fprintf(stderr, "musa: MUSA_LOG: unknown word '%s' (levels: error, warn, "
				"info, debug or 0-4; packets)\n", word);
	}
	if (file && *file) {
		musa_log_file = fopen(file, "ae");
		if (!musa_log_file)
			fprintf(stderr, "musa: MUSA_LOG_FILE=%s: %s\n", file, strerror(errno));
	}
}

static void musa_log_line(char tag, const char *fmt, va_list ap)
{
	FILE *out = musa_log_file ? musa_log_file : stderr;

	pthread_mutex_lock(&musa_log_lock);
	fprintf(out, "musa[%d] %c: ", (int)getpid(), tag);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
	pthread_mutex_unlock(&musa_log_lock);
}

void musa_log(int level, const char *fmt, ...)
{
	static const char tags[] = "-EWID";
	va_list ap;

	if (level > musa_config.log_level)
		return;
	va_start(ap, fmt);
	musa_log_line(tags[level], fmt, ap);
	va_end(ap);
}

/* A line of the packet trace (MUSA_LOG=packets), whatever the level. */
void musa_log_packet(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	musa_log_line('P', fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- errors */

musaError_t musa_fail(musaError_t err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(musa_tls.detail, sizeof(musa_tls.detail), fmt, ap);
	va_end(ap);
	musa_detail_fresh = true;
	return err;
}

/* An errno from musa.ko as the error a call reports, with @fallback for the rest. */
musaError_t musa_errno_error(int err, musaError_t fallback)
{
	switch (err) {
	case -ENOMEM:
	case -ENOSPC:
		return musaErrorMemoryAllocation;
	case -ENODEV:
		return musaErrorDevicesUnavailable;
	case -EIO:
		return musaErrorLaunchFailure;
	default:
		return fallback;
	}
}

/* Words the failure if nothing did, and logs it. */
static void musa_report(musaError_t err, const char *func)
{
	const struct musa_error_info *info = musa_error_lookup(err);

	if (!musa_detail_fresh)
		snprintf(musa_tls.detail, sizeof(musa_tls.detail), "%s failed: %s", func,
			 info ? info->text : "unrecognized error code");
	musa_detail_fresh = false;
	musa_log(MUSA_LOG_ERROR, "%s: %s (%d): %s", func, info ? info->rt_name : "?", (int)err,
		 musa_tls.detail);
}

musaError_t musa_rt_return(musaError_t err, const char *func)
{
	musa_log(MUSA_LOG_DEBUG, "%s: %s", func, musaGetErrorName(err));
	if (err == musaSuccess || err == musaErrorNotReady) {
		musa_detail_fresh = false;
		return err;
	}
	musa_tls.last_error = err;
	musa_report(err, func);
	return err;
}

/* The driver API's number for a runtime code: the same, except for runtime-only codes. */
static MUresult musa_to_driver(musaError_t err)
{
	const struct musa_error_info *info = musa_error_lookup(err);

	if (info && info->drv_name)
		return (MUresult)err;
	if (err == musaErrorInsufficientDriver)
		return MUSA_ERROR_SYSTEM_DRIVER_MISMATCH;
	if (err == musaErrorInvalidDevicePointer || err == musaErrorInvalidMemcpyDirection ||
	    err == musaErrorInvalidConfiguration)
		return MUSA_ERROR_INVALID_VALUE;
	if (err == musaErrorInvalidDeviceFunction)
		return MUSA_ERROR_INVALID_HANDLE;
	return MUSA_ERROR_UNKNOWN;
}

MUresult musa_drv_return(musaError_t err, const char *func)
{
	musa_log(MUSA_LOG_DEBUG, "%s: %s", func, musaGetErrorName(err));
	if (err == musaSuccess || err == musaErrorNotReady) {
		musa_detail_fresh = false;
		return musa_to_driver(err);
	}
	musa_report(err, func);
	return musa_to_driver(err);
}

/* --------------------------------------------------------------- the API */

MUSA_EXPORT musaError_t musaGetLastError(void)
{
	musaError_t err = musa_tls.last_error;
	struct musa_device *dev;

	musa_tls.last_error = musaSuccess;
	/* A sticky fault of the current device cannot be cleared. */
	musa_thread_sync_generation();
	dev = musa_tls.current ? musa_tls.current->dev : NULL;
	if (dev && musa_sticky(dev))
		musa_tls.last_error = musa_sticky(dev);
	return err;
}

MUSA_EXPORT musaError_t musaPeekAtLastError(void)
{
	return musa_tls.last_error;
}

MUSA_EXPORT const char *musaGetErrorName(musaError_t error)
{
	const struct musa_error_info *info = musa_error_lookup(error);

	return info && info->rt_name ? info->rt_name : "unrecognized error code";
}

MUSA_EXPORT const char *musaGetErrorString(musaError_t error)
{
	const struct musa_error_info *info = musa_error_lookup(error);

	return info && info->rt_name ? info->text : "unrecognized error code";
}

MUSA_EXPORT const char *musaGetLastErrorDetail(void)
{
	return musa_tls.detail;
}

MUSA_EXPORT MUresult muGetErrorName(MUresult error, const char **pStr)
{
	const struct musa_error_info *info = musa_error_lookup(error);

	if (!pStr)
		return MUSA_ERROR_INVALID_VALUE;
	*pStr = info && info->drv_name ? info->drv_name : NULL;
	return *pStr ? MUSA_SUCCESS : MUSA_ERROR_INVALID_VALUE;
}

MUSA_EXPORT MUresult muGetErrorString(MUresult error, const char **pStr)
{
	const struct musa_error_info *info = musa_error_lookup(error);

	if (!pStr)
		return MUSA_ERROR_INVALID_VALUE;
	*pStr = info && info->drv_name ? info->text : NULL;
	return *pStr ? MUSA_SUCCESS : MUSA_ERROR_INVALID_VALUE;
}
