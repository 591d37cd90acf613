/* llama.cpp's q8_0 x q8_0 matmul: y[m, n] = q8(x)[m, k] . W[n, k], k a multiple of 32.
 *
 * Weights are int8 in blocks of 32 along k with one fp32 scale per block (absmax / 127);
 * activations are quantized the same way at call time; int8 x int8 products are summed exactly
 * in int32 per block, then scaled in fp32. The weights are packed for batch-1 decoding, 8 rows
 * interleaved (`tw_q8_pack`): for each group of 8 rows and each block, 8 slices of 4 bytes,
 * each slice holding those 4 bytes of all 8 rows. One 256-bit register then holds 4 bytes of 8
 * rows, so a single dot-product instruction (VNNI vpdpbusd, or AVX2 maddubs + madd) adds 4
 * products into each row's own lane: no horizontal sums, the x side is a broadcast, and the 8
 * rows' scales are one vector. The weights are stored offset to unsigned (w + 128, the
 * operand vpdpbusd wants unsigned): the dot product of a block is then sum (w + 128) x - 128
 * sum x, where sum x is one number per activation block computed once per call, so each 32
 * weight bytes cost one vpdpbusd instead of two (a second one for sum w, when x was the offset
 * side). (Row-major, one row at a time, this kernel was compute bound at
 * ~2.5x the time of streaming its weights.) Several x rows (a batched decode step, a prefill)
 * go through each weight group in tiles of TILE rows that share its loads.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

typedef void (*tw_task)(void *ctx, int chunk);
void tw_parallel(tw_task task, void *ctx, int chunks, int threads); /* pool.c */

#if defined(__AVX2__) && defined(__FMA__) && defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define TW_VNNI(acc, a, b) _mm256_dpbusd_epi32(acc, a, b)
#elif defined(__AVX2__) && defined(__FMA__) && defined(__AVXVNNI__)
#define TW_VNNI(acc, a, b) _mm256_dpbusd_avx_epi32(acc, a, b)
#endif

#define QK 32
#define ROWS 8          /* rows interleaved in a group */
#define CHUNK_GROUPS 4  /* groups a thread claims at a time */
#ifndef PF_BLOCKS
#define PF_BLOCKS 8     /* software prefetch distance, in blocks of 256 bytes */
#endif

int tw_q8_block(void) { return QK; }
int tw_q8_rows(void) { return ROWS; }

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

/* Row-major q[n, k] / scales[n, k / QK] -> packed [groups][blocks][slice][row][4] (as
 * q + 128, unsigned bytes) and [groups][blocks][row]; rows past n (the last group's padding)
 * are zero. */
void tw_q8_pack(const int8_t *q, const float *scales, int n, int k, int8_t *packed,
                float *packed_scales) {
    int blocks = k / QK, groups = (n + ROWS - 1) / ROWS;
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < blocks; b++) {
            int8_t *out = packed + ((int64_t)g * blocks + b) * ROWS * QK;
            float *sout = packed_scales + ((int64_t)g * blocks + b) * ROWS;
            for (int r = 0; r < ROWS; r++) {
                int row = g * ROWS + r;
                sout[r] = row < n ? scales[(int64_t)row * blocks + b] : 0.0f;
                for (int s = 0; s < QK / 4; s++)
                    for (int i = 0; i < 4; i++)
                        out[(s * ROWS + r) * 4 + i] = (int8_t)(0x80 ^ (uint8_t)(
                            row < n ? q[(int64_t)row * k + b * QK + s * 4 + i] : 0));
            }
        }
}

/* The 8 dot products of one group with each of `nr` (1..TILE) quantized x rows (row r at
 * xq + r * k, its scales and sums at xs / xsum + r * blocks), into out[r * ROWS ..]. The rows share each load
 * of the weights: a batched decode step (continuous batching) or a prefill reads every weight
 * block once per TILE rows instead of once per row. Per row the arithmetic is the single-row
 * kernel's, in the same order, so every row's result is bit-identical to computing it alone. */
#if defined(TW_VNNI) && defined(__AVX512VL__)
#define TILE 8 /* 32 vector registers: 8 rows' sums and accumulators stay in them */
#else
#define TILE 4
#endif
static inline __attribute__((always_inline)) void group_dot(
    const int8_t *w, const float *ws, int blocks, int k, const int8_t *xq, const float *xs,
    const int32_t *xsum, int nr, float *out) {
#if !defined(TW_VNNI)
    (void)xsum; /* only vpdpbusd takes the weights as offset */
#endif
#if defined(__AVX2__) && defined(__FMA__)
    __m256 acc[TILE];
    for (int r = 0; r < nr; r++) acc[r] = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const int8_t *wb = w + (int64_t)b * ROWS * QK;
#if PF_BLOCKS > 0
        _mm_prefetch((const char *)(wb + PF_BLOCKS * ROWS * QK), _MM_HINT_T0);
        _mm_prefetch((const char *)(wb + PF_BLOCKS * ROWS * QK + 64), _MM_HINT_T0);
        _mm_prefetch((const char *)(wb + PF_BLOCKS * ROWS * QK + 128), _MM_HINT_T0);
        _mm_prefetch((const char *)(wb + PF_BLOCKS * ROWS * QK + 192), _MM_HINT_T0);
#endif
        __m256i sum0[TILE], sum1[TILE];
        for (int r = 0; r < nr; r++) sum0[r] = sum1[r] = _mm256_setzero_si256();
#if defined(TW_VNNI)
        /* sum (w + 128) x in two chains (even and odd slices), the second starting at the
         * correction -128 sum x: exact in int32 (|sum| <= 32 * 255 * 128). */
        for (int r = 0; r < nr; r++)
            sum1[r] = _mm256_set1_epi32(-128 * xsum[(int64_t)r * blocks + b]);
        for (int s = 0; s < QK / 4; s += 2) {
            __m256i wv0 = _mm256_loadu_si256((const __m256i *)(wb + s * 32));
            __m256i wv1 = _mm256_loadu_si256((const __m256i *)(wb + s * 32 + 32));
            for (int r = 0; r < nr; r++) {
                const int8_t *xb = xq + (int64_t)r * k + b * QK;
                int32_t x0, x1;
                memcpy(&x0, xb + s * 4, 4);
                memcpy(&x1, xb + s * 4 + 4, 4);
                sum0[r] = TW_VNNI(sum0[r], wv0, _mm256_set1_epi32(x0));
                sum1[r] = TW_VNNI(sum1[r], wv1, _mm256_set1_epi32(x1));
            }
        }
#else
        const __m256i offset = _mm256_set1_epi8((char)0x80); /* back to signed weights */
        for (int s = 0; s < QK / 4; s += 2) {
            __m256i wv0 = _mm256_xor_si256(
                _mm256_loadu_si256((const __m256i *)(wb + s * 32)), offset);
            __m256i wv1 = _mm256_xor_si256(
                _mm256_loadu_si256((const __m256i *)(wb + s * 32 + 32)), offset);
            for (int r = 0; r < nr; r++) {
                const int8_t *xb = xq + (int64_t)r * k + b * QK;
                int32_t x0, x1;
                memcpy(&x0, xb + s * 4, 4);
                memcpy(&x1, xb + s * 4 + 4, 4);
                __m256i xv0 = _mm256_set1_epi32(x0), xv1 = _mm256_set1_epi32(x1);
                __m256i w0 = _mm256_sign_epi8(wv0, xv0), w1 = _mm256_sign_epi8(wv1, xv1);
                __m256i a0 = _mm256_sign_epi8(xv0, xv0), a1 = _mm256_sign_epi8(xv1, xv1);
                const __m256i ones = _mm256_set1_epi16(1); /* |x| <= 127: no int16 saturation */
                sum0[r] = _mm256_add_epi32(
                    sum0[r], _mm256_madd_epi16(_mm256_maddubs_epi16(a0, w0), ones));
                sum1[r] = _mm256_add_epi32(
                    sum1[r], _mm256_madd_epi16(_mm256_maddubs_epi16(a1, w1), ones));
            }
        }
#endif
        __m256 wscale = _mm256_loadu_ps(ws + b * ROWS);
        for (int r = 0; r < nr; r++) {
            __m256 scale = _mm256_mul_ps(wscale, _mm256_set1_ps(xs[(int64_t)r * blocks + b]));
            acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(sum0[r], sum1[r])),
                                     scale, acc[r]);
        }
    }
    for (int r = 0; r < nr; r++) _mm256_storeu_ps(out + r * ROWS, acc[r]);
#else
    float acc[TILE][ROWS] = {{0}};
    for (int b = 0; b < blocks; b++) {
        const int8_t *wb = w + (int64_t)b * ROWS * QK;
        for (int t = 0; t < nr; t++) {
            const int8_t *xb = xq + (int64_t)t * k + b * QK;
            float xscale = xs[(int64_t)t * blocks + b];
            for (int r = 0; r < ROWS; r++) {
                int32_t d = 0;
                for (int s = 0; s < QK / 4; s++)
                    for (int i = 0; i < 4; i++)
                        d += (int32_t)(int8_t)(0x80 ^ (uint8_t)wb[(s * ROWS + r) * 4 + i]) *
                             xb[s * 4 + i];
                acc[t][r] += (float)d * (ws[b * ROWS + r] * xscale);
            }
        }
    }
    for (int t = 0; t < nr; t++) memcpy(out + t * ROWS, acc[t], sizeof acc[t]);
#endif
}

struct q8_job {
    const int8_t *xq, *w;
    const float *xs, *ws;
    const int32_t *xsum;
    float *y;
    int m, k, n;
};

static void q8_chunk(void *ctx, int chunk) {
    struct q8_job *j = ctx;
    int blocks = j->k / QK, groups = (j->n + ROWS - 1) / ROWS;
    float out[TILE * ROWS];
    for (int g = chunk * CHUNK_GROUPS; g < groups && g < (chunk + 1) * CHUNK_GROUPS; g++) {
        int valid = j->n - g * ROWS < ROWS ? j->n - g * ROWS : ROWS;
        const int8_t *w = j->w + (int64_t)g * blocks * ROWS * QK;
        const float *ws = j->ws + (int64_t)g * blocks * ROWS;
        for (int r = 0; r < j->m; r += TILE) {
            int nr = j->m - r < TILE ? j->m - r : TILE;
            const int8_t *xq = j->xq + (int64_t)r * j->k;
            const float *xs = j->xs + (int64_t)r * blocks;
            const int32_t *xsum = j->xsum + (int64_t)r * blocks;
            /* constant row counts, so each call's loops unroll into registers */
            switch (nr) {
#if TILE == 8
            case 8: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 8, out); break;
            case 7: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 7, out); break;
            case 6: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 6, out); break;
            case 5: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 5, out); break;
#endif
            case 4: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 4, out); break;
            case 3: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 3, out); break;
            case 2: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 2, out); break;
            default: group_dot(w, ws, blocks, j->k, xq, xs, xsum, 1, out); break;
            }
            for (int t = 0; t < nr; t++)
                memcpy(j->y + (int64_t)(r + t) * j->n + g * ROWS, out + t * ROWS,
                       sizeof(float) * valid);
        }
    }
}

/* Quantize activations for the kernel: q8_0 blocks xq / xs, and each block's sum of its int8
 * values xsum (the correction for the weights' +128, see group_dot). */
void tw_q8_prepare(const float *x, int64_t count, int8_t *xq, float *xs, int32_t *xsum) {
    tw_q8_quantize(x, count, xq, xs);
    for (int64_t b = 0; b < count / QK; b++) {
        int32_t total = 0;
        for (int i = 0; i < QK; i++) total += xq[b * QK + i];
        xsum[b] = total;
    }
}

/* y[g * ROWS ..] for the row groups g0 .. g1-1 of one prepared x row (tw_q8_prepare): the
 * decode step's share of a matmul (step.c), the same arithmetic as tw_q8_matmul's. */
void tw_q8_groups(const int8_t *xq, const float *xs, const int32_t *xsum, int k,
                  const int8_t *w, const float *ws, int n, int g0, int g1, float *y) {
    int blocks = k / QK;
    float out[ROWS];
    for (int g = g0; g < g1; g++) {
        int valid = n - g * ROWS < ROWS ? n - g * ROWS : ROWS;
        group_dot(w + (int64_t)g * blocks * ROWS * QK, ws + (int64_t)g * blocks * ROWS, blocks,
                  k, xq, xs, xsum, 1, out);
        memcpy(y + g * ROWS, out, sizeof(float) * valid);
    }
}

/* y[m, n] = q8(x)[m, k] . W^T with W packed by tw_q8_pack. Returns 0, or -1 if out of memory. */
int tw_q8_matmul(const float *x, int m, int k, const int8_t *w, const float *ws, int n,
                 float *y, int threads) {
    int64_t blocks = (int64_t)m * (k / QK);
    int8_t *xq = malloc((size_t)m * k);
    float *xs = malloc(sizeof(float) * (size_t)blocks);
    int32_t *xsum = malloc(sizeof(int32_t) * (size_t)blocks);
    if (!xq || !xs || !xsum) { free(xq); free(xs); free(xsum); return -1; }
    tw_q8_prepare(x, (int64_t)m * k, xq, xs, xsum);
    struct q8_job job = {xq, w, xs, ws, xsum, y, m, k, n};
    int groups = (n + ROWS - 1) / ROWS;
    tw_parallel(q8_chunk, &job, (groups + CHUNK_GROUPS - 1) / CHUNK_GROUPS, threads);
    free(xq);
    free(xs);
    free(xsum);
    return 0;
}
