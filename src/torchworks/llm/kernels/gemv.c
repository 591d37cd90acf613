/* Batch-1 decoding matmuls for CPUs: y[m, n] = sum_k x[m, k] * W[n, k], W row-major [N, K].
 *
 * Decoding one token reads every weight once, so these kernels stream W's rows and keep x in
 * L1: the rows of a thread's share are read once whatever M is (each row is reused for every
 * x row while it is in cache). Threads claim chunks of rows from pool.c's work counter.
 *
 * tw_q8_matmul is llama.cpp's q8_0 x q8_0 scheme: weights in blocks of 32 along K with one
 * fp32 scale per block, activations quantized the same way at call time (per 32-block absmax
 * / 127), int8 x int8 dot products summed exactly in int32 per block, then scaled in fp32.
 *
 * Code paths are chosen at compile time: AVX-512 (+VNNI), AVX2 (+AVX-VNNI), or plain C. The
 * Python loader (native.py) compiles this file with the system compiler on first use.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void (*tw_task)(void *ctx, int chunk);
void tw_parallel(tw_task task, void *ctx, int chunks, int threads); /* pool.c */
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#define QK 32
#ifndef Q8_PREFETCH
#define Q8_PREFETCH 4096 /* bytes ahead: a few row pairs (streaming alone does not keep up) */
#endif
#define CHUNK_ROWS 32 /* rows a thread claims at a time (a multiple of 4) */

const char *tw_isa(void) {
#if defined(__AVX512F__) && defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return "avx512-vnni";
#elif defined(__AVX512F__)
    return "avx512";
#elif defined(__AVX2__) && defined(__AVXVNNI__)
    return "avx2-vnni";
#elif defined(__AVX2__) && defined(__FMA__)
    return "avx2";
#else
    return "plain-c";
#endif
}

int tw_q8_block(void) { return QK; }

/* ---------------------------------------------------------------- fp32 */

/* Dot products of rows w0..w3 (stride ldw) with x, into out[0..3]. */
static void dot4_f32(const float *w, int64_t ldw, const float *x, int k, float *out) {
    const float *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
    int i = 0;
#if defined(__AVX512F__)
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 16 <= k; i += 16) {
        __m512 xv = _mm512_loadu_ps(x + i);
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + i), xv, a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + i), xv, a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + i), xv, a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + i), xv, a3);
    }
    if (i < k) {
        __mmask16 m = (__mmask16)((1u << (k - i)) - 1);
        __m512 xv = _mm512_maskz_loadu_ps(m, x + i);
        a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w0 + i), xv, a0);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w1 + i), xv, a1);
        a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w2 + i), xv, a2);
        a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w3 + i), xv, a3);
        i = k;
    }
    out[0] = _mm512_reduce_add_ps(a0);
    out[1] = _mm512_reduce_add_ps(a1);
    out[2] = _mm512_reduce_add_ps(a2);
    out[3] = _mm512_reduce_add_ps(a3);
#elif defined(__AVX2__) && defined(__FMA__)
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 8 <= k; i += 8) {
        __m256 xv = _mm256_loadu_ps(x + i);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i), xv, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i), xv, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + i), xv, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + i), xv, a3);
    }
    __m256 acc[4] = {a0, a1, a2, a3};
    for (int r = 0; r < 4; r++) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc[r]), _mm256_extractf128_ps(acc[r], 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        out[r] = _mm_cvtss_f32(s);
    }
#else
    out[0] = out[1] = out[2] = out[3] = 0.0f;
#endif
    for (; i < k; i++) {
        out[0] += w0[i] * x[i];
        out[1] += w1[i] * x[i];
        out[2] += w2[i] * x[i];
        out[3] += w3[i] * x[i];
    }
}

static float dot1_f32(const float *w, const float *x, int k) {
    float s = 0.0f;
    for (int i = 0; i < k; i++) s += w[i] * x[i];
    return s;
}

/* Rows [lo, hi) of y = x W^T for all m. */
static void f32_rows(const float *x, int m, int k, const float *w, int lo, int hi, float *y,
                     int n) {
    int r = lo;
    float out[4];
    for (; r + 4 <= hi; r += 4) {
        for (int j = 0; j < m; j++) {
            dot4_f32(w + (int64_t)r * k, k, x + (int64_t)j * k, k, out);
            memcpy(y + (int64_t)j * n + r, out, sizeof out);
        }
    }
    for (; r < hi; r++)
        for (int j = 0; j < m; j++)
            y[(int64_t)j * n + r] = dot1_f32(w + (int64_t)r * k, x + (int64_t)j * k, k);
}

struct f32_job {
    const float *x, *w;
    float *y;
    int m, k, n;
};

static void f32_chunk(void *ctx, int chunk) {
    struct f32_job *j = ctx;
    int lo = chunk * CHUNK_ROWS, hi = lo + CHUNK_ROWS < j->n ? lo + CHUNK_ROWS : j->n;
    f32_rows(j->x, j->m, j->k, j->w, lo, hi, j->y, j->n);
}

void tw_f32_matmul(const float *x, int m, int k, const float *w, int n, float *y, int threads) {
    struct f32_job job = {x, w, y, m, k, n};
    tw_parallel(f32_chunk, &job, (n + CHUNK_ROWS - 1) / CHUNK_ROWS, threads);
}

/* ---------------------------------------------------------------- q8_0 */

/* Quantize `count` floats (a multiple of QK) into int8 blocks with one scale each. */
void tw_q8_quantize(const float *x, int64_t count, int8_t *q, float *scales) {
    for (int64_t b = 0; b < count / QK; b++) {
        const float *v = x + b * QK;
        float amax = 0.0f;
        for (int i = 0; i < QK; i++) amax = fmaxf(amax, fabsf(v[i]));
        float d = amax / 127.0f, id = d > 0.0f ? 1.0f / d : 0.0f;
        scales[b] = d;
        for (int i = 0; i < QK; i++) q[b * QK + i] = (int8_t)lrintf(v[i] * id);
    }
}

#if defined(__AVX2__)
/* 32 int8 x 32 int8 -> 8 int32 partial sums (exact: |q| <= 127 so no saturation). */
static inline __m256i dot_block(__m256i xs_abs, __m256i x, __m256i w) {
    __m256i ws = _mm256_sign_epi8(w, x); /* w * sign(x), so |x| can be the unsigned side */
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), xs_abs, ws);
#elif defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), xs_abs, ws);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(xs_abs, ws), _mm256_set1_epi16(1));
#endif
}

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#endif

/* Two weight rows against one quantized x row: out[0..1]. */
static void dot2_q8(const int8_t *w, const float *ws, int k, const int8_t *xq, const float *xs,
                    float *out) {
    int blocks = k / QK;
    const int8_t *w1 = w + k;
    const float *ws1 = ws + blocks;
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && \
    defined(__AVX512VL__)
    /* Two blocks per 512-bit step: lanes 0-7 sum block b, lanes 8-15 block b + 1. AVX-512
     * has no byte sign instruction: w is negated where x < 0 through x's sign-bit mask. */
    __m512 a0 = _mm512_setzero_ps(), a1 = a0;
    int b = 0;
    for (; b + 2 <= blocks; b += 2) {
        _mm_prefetch((const char *)(w + b * QK + Q8_PREFETCH), _MM_HINT_T0);
        _mm_prefetch((const char *)(w1 + b * QK + Q8_PREFETCH), _MM_HINT_T0);
        __m512i xv = _mm512_loadu_si512(xq + b * QK), zero = _mm512_setzero_si512();
        __m512i xa = _mm512_abs_epi8(xv);
        __mmask64 negative = _mm512_movepi8_mask(xv);
        __m512i w0v = _mm512_loadu_si512(w + b * QK), w1v = _mm512_loadu_si512(w1 + b * QK);
        __m512i d0 = _mm512_dpbusd_epi32(zero, xa, _mm512_mask_sub_epi8(w0v, negative, zero, w0v));
        __m512i d1 = _mm512_dpbusd_epi32(zero, xa, _mm512_mask_sub_epi8(w1v, negative, zero, w1v));
        __m512 s0 = _mm512_insertf32x8(_mm512_set1_ps(ws[b] * xs[b]),
                                       _mm256_set1_ps(ws[b + 1] * xs[b + 1]), 1);
        __m512 s1 = _mm512_insertf32x8(_mm512_set1_ps(ws1[b] * xs[b]),
                                       _mm256_set1_ps(ws1[b + 1] * xs[b + 1]), 1);
        a0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d0), s0, a0);
        a1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d1), s1, a1);
    }
    out[0] = _mm512_reduce_add_ps(a0);
    out[1] = _mm512_reduce_add_ps(a1);
    if (b < blocks) { /* an odd last block */
        __m256i xv = _mm256_loadu_si256((const __m256i *)(xq + b * QK));
        __m256i xa = _mm256_sign_epi8(xv, xv);
        __m256i d0 = dot_block(xa, xv, _mm256_loadu_si256((const __m256i *)(w + b * QK)));
        __m256i d1 = dot_block(xa, xv, _mm256_loadu_si256((const __m256i *)(w1 + b * QK)));
        out[0] += hsum8(_mm256_cvtepi32_ps(d0)) * (ws[b] * xs[b]);
        out[1] += hsum8(_mm256_cvtepi32_ps(d1)) * (ws1[b] * xs[b]);
    }
#elif defined(__AVX2__)
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    for (int b = 0; b < blocks; b++) {
        _mm_prefetch((const char *)(w + b * QK + Q8_PREFETCH), _MM_HINT_T0);
        _mm_prefetch((const char *)(w1 + b * QK + Q8_PREFETCH), _MM_HINT_T0);
        __m256i xv = _mm256_loadu_si256((const __m256i *)(xq + b * QK));
        __m256i xa = _mm256_sign_epi8(xv, xv);
        __m256i d0 = dot_block(xa, xv, _mm256_loadu_si256((const __m256i *)(w + b * QK)));
        __m256i d1 = dot_block(xa, xv, _mm256_loadu_si256((const __m256i *)(w1 + b * QK)));
        a0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d0), _mm256_set1_ps(ws[b] * xs[b]), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d1), _mm256_set1_ps(ws1[b] * xs[b]), a1);
    }
    out[0] = hsum8(a0);
    out[1] = hsum8(a1);
#else
    float s0 = 0.0f, s1 = 0.0f;
    for (int b = 0; b < blocks; b++) {
        int32_t d0 = 0, d1 = 0;
        for (int i = 0; i < QK; i++) {
            d0 += (int32_t)w[b * QK + i] * xq[b * QK + i];
            d1 += (int32_t)w1[b * QK + i] * xq[b * QK + i];
        }
        s0 += (float)d0 * (ws[b] * xs[b]);
        s1 += (float)d1 * (ws1[b] * xs[b]);
    }
    out[0] = s0;
    out[1] = s1;
#endif
}

static float dot1_q8(const int8_t *w, const float *ws, int k, const int8_t *xq,
                     const float *xs) {
    float s = 0.0f;
    for (int b = 0; b < k / QK; b++) {
        int32_t d = 0;
        for (int i = 0; i < QK; i++) d += (int32_t)w[b * QK + i] * xq[b * QK + i];
        s += (float)d * (ws[b] * xs[b]);
    }
    return s;
}

static void q8_rows(const int8_t *xq, const float *xs, int m, int k, const int8_t *w,
                    const float *ws, int lo, int hi, float *y, int n) {
    int blocks = k / QK;
    float out[2];
    int r = lo;
    for (; r + 2 <= hi; r += 2)
        for (int j = 0; j < m; j++) {
            dot2_q8(w + (int64_t)r * k, ws + (int64_t)r * blocks, k, xq + (int64_t)j * k,
                    xs + (int64_t)j * blocks, out);
            y[(int64_t)j * n + r] = out[0];
            y[(int64_t)j * n + r + 1] = out[1];
        }
    for (; r < hi; r++) /* an odd last row */
        for (int j = 0; j < m; j++)
            y[(int64_t)j * n + r] = dot1_q8(w + (int64_t)r * k, ws + (int64_t)r * blocks, k,
                                            xq + (int64_t)j * k, xs + (int64_t)j * blocks);
}

struct q8_job {
    const int8_t *xq, *w;
    const float *xs, *ws;
    float *y;
    int m, k, n;
};

static void q8_chunk(void *ctx, int chunk) {
    struct q8_job *j = ctx;
    int lo = chunk * CHUNK_ROWS, hi = lo + CHUNK_ROWS < j->n ? lo + CHUNK_ROWS : j->n;
    q8_rows(j->xq, j->xs, j->m, j->k, j->w, j->ws, lo, hi, j->y, j->n);
}

/* y[m, n] = q8(x)[m, k] . W[n, k]; k a multiple of QK. Returns 0, or -1 if out of memory. */
int tw_q8_matmul(const float *x, int m, int k, const int8_t *w, const float *ws, int n,
                 float *y, int threads) {
    int8_t *xq = malloc((size_t)m * k);
    float *xs = malloc(sizeof(float) * (size_t)m * (k / QK));
    if (!xq || !xs) { free(xq); free(xs); return -1; }
    tw_q8_quantize(x, (int64_t)m * k, xq, xs);
    struct q8_job job = {xq, w, xs, ws, y, m, k, n};
    tw_parallel(q8_chunk, &job, (n + CHUNK_ROWS - 1) / CHUNK_ROWS, threads);
    free(xq);
    free(xs);
    return 0;
}
