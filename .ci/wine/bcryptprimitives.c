/* A stand-in for Windows 10's bcryptprimitives.dll, for running planpress.exe under Wine in CI
 * only; never shipped. Rust's standard library asks ProcessPrng for random bytes (HashMap seeds)
 * on Windows 10 and later; Wine 8 has no such DLL. This fills the buffer from RtlGenRandom
 * (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
