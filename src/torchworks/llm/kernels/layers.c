/* The rest of a batch-1 decode step that torch runs as many small ops: attention after the
 * q/k/v projection (RoPE, KV-cache write, GQA softmax attention) and RMSNorm, one native call
 * each. fp32 throughout, in HF's order of operations; plain C that the compiler vectorizes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- attention */

static float dot_f32(const float *a, const float *b, int n) {
    float acc[16] = {0}; /* independent lanes: the compiler vectorizes this */
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 16; l++) acc[l] += a[i + l] * b[i + l];
    float s = 0.0f;
    for (int l = 0; l < 16; l++) s += acc[l];
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

/* HF's rotate-half RoPE of one head vector x[d] with the half tables cos/sin[d / 2]. */
static void rope(const float *x, const float *cos, const float *sin, int d, float *out) {
    int half = d / 2;
    for (int i = 0; i < half; i++) {
        out[i] = x[i] * cos[i] - x[i + half] * sin[i];
        out[i + half] = x[i + half] * cos[i] + x[i] * sin[i];
    }
}

/* RoPE'd k and v of a decode step's fused q/k/v projection qkv[(H + 2 KVH) d] into one
 * sequence's caches ([KVH, max_seq, d]) at `pos`. */
void tw_attend_write_kv(const float *qkv, const float *cos, const float *sin, float *k_cache,
                        float *v_cache, int heads, int kv_heads, int d, int max_seq, int pos) {
    const float *k_new = qkv + (size_t)heads * d, *v_new = k_new + (size_t)kv_heads * d;
    for (int g = 0; g < kv_heads; g++) {
        float *keys = k_cache + (size_t)g * max_seq * d, *values = v_cache + (size_t)g * max_seq * d;
        rope(k_new + (size_t)g * d, cos, sin, d, keys + (size_t)pos * d);
        memcpy(values + (size_t)pos * d, v_new + (size_t)g * d, sizeof(float) * d);
    }
}

/* Query head h of that step, after tw_attend_write_kv: RoPE on its q, softmax(q K^T / sqrt(d))
 * V over positions 0..pos of KV head h / (H / KVH), into out[d]; scores[pos + 1] is scratch.
 * Heads are independent, so the decode step (step.c) splits them across threads. */
void tw_attend_head(const float *qkv, const float *cos, const float *sin, const float *k_cache,
                    const float *v_cache, int heads, int kv_heads, int d, int max_seq, int pos,
                    int h, float *scores, float *out) {
    int span = pos + 1, group = heads / kv_heads;
    float q[d], acc[d], scale = 1.0f / sqrtf((float)d); /* acc: out might alias values */
    const float *keys = k_cache + (size_t)(h / group) * max_seq * d;
    const float *values = v_cache + (size_t)(h / group) * max_seq * d;
    rope(qkv + (size_t)h * d, cos, sin, d, q);
    float top = -INFINITY, total = 0.0f;
    for (int t = 0; t < span; t++) {
        scores[t] = dot_f32(q, keys + (size_t)t * d, d) * scale;
        top = fmaxf(top, scores[t]);
    }
    for (int i = 0; i < d; i++) acc[i] = 0.0f;
    for (int t = 0; t < span; t++) {
        float p = expf(scores[t] - top);
        total += p;
        const float *v = values + (size_t)t * d;
        for (int i = 0; i < d; i++) acc[i] += p * v[i];
    }
    for (int i = 0; i < d; i++) out[i] = acc[i] / total;
}

/* One sequence's whole decode-step attention (the per-layer path): the k/v write, then every
 * query head, out[H d]. Returns 0, or -1 if out of memory. */
int tw_attend_decode(const float *qkv, const float *cos, const float *sin, float *k_cache,
                     float *v_cache, int heads, int kv_heads, int d, int max_seq, int pos,
                     float *out) {
    float *scores = malloc(sizeof(float) * ((size_t)pos + 1));
    if (!scores) return -1;
    tw_attend_write_kv(qkv, cos, sin, k_cache, v_cache, heads, kv_heads, d, max_seq, pos);
    for (int h = 0; h < heads; h++)
        tw_attend_head(qkv, cos, sin, k_cache, v_cache, heads, kv_heads, d, max_seq, pos, h,
                       scores, out + (size_t)h * d);
    free(scores);
    return 0;
}

/* ---------------------------------------------------------------- RMSNorm */

/* out = w * x / sqrt(mean(x^2) + eps) per row of x[rows, dim] (HF's Llama RMSNorm in fp32;
 * torch's own rms_norm on CPU is a chain of small ops, ~60 us a call at decode's size). */
void tw_rmsnorm(const float *x, const float *w, int rows, int dim, float eps, float *out) {
    for (int r = 0; r < rows; r++) {
        const float *v = x + (size_t)r * dim;
        float inv = 1.0f / sqrtf(dot_f32(v, v, dim) / (float)dim + eps);
        for (int i = 0; i < dim; i++) out[(size_t)r * dim + i] = w[i] * (v[i] * inv);
    }
}
