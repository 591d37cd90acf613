/* One whole batch-1 decode step in one native call: embedding row in, final-normed hidden
 * state out, every layer's RMSNorm, fused q/k/v, attention, output projection, residual adds,
 * fused gate/up, SiLU * up and down projection in between, on buffers the caller allocated
 * once. Why: with the matmuls streaming at weight-read speed, the ~20 torch ops and ctypes
 * calls per layer (residual adds, SiLU, views, new tensors) cost as much as the matmuls
 * (about 4 ms a token on SmolLM2-135M). The numbers are the per-layer path's: the same
 * kernels (gemv.c / q8.c, layers.c) in the same order, fp32 adds in HF's order.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

void tw_f32_matmul(const float *x, int m, int k, const float *w, int n, float *y, int threads);
int tw_q8_matmul(const float *x, int m, int k, const int8_t *w, const float *ws, int n,
                 float *y, int threads);
int tw_attend_decode(const float *qkv, const float *cos, const float *sin, float *k_cache,
                     float *v_cache, int heads, int kv_heads, int d, int max_seq, int pos,
                     float *out);
void tw_rmsnorm(const float *x, const float *w, int rows, int dim, float eps, float *out);

/* One linear's packed weight (gemv.c's or q8.c's layout), its q8 scales (NULL for fp32) and
 * bias (NULL for none). */
typedef struct {
    const void *weight;
    const float *scales;
    const float *bias;
} tw_linear;

typedef struct {
    const float *attn_norm, *ffn_norm;
    tw_linear wqkv, wo, w13, w2;
    float *k_cache, *v_cache; /* the whole cache [slots, kv_heads, max_seq, d] */
} tw_layer;

typedef struct {
    int q8, layers, dim, heads, kv_heads, head_dim, hidden, max_seq;
    float eps;
    const float *final_norm;
    /* scratch, allocated once by the caller: x, h [dim]; qkv [(H + 2 KVH) d]; att [H d];
     * gate_up [2 hidden]; act [hidden] */
    float *x, *h, *qkv, *att, *gate_up, *act;
} tw_model;

static int linear(const tw_model *m, const tw_linear *l, const float *x, int k, int n,
                  float *y, int threads) {
    if (m->q8) {
        if (tw_q8_matmul(x, 1, k, (const int8_t *)l->weight, l->scales, n, y, threads))
            return -1;
    } else {
        tw_f32_matmul(x, 1, k, (const float *)l->weight, n, y, threads);
    }
    if (l->bias)
        for (int i = 0; i < n; i++) y[i] += l->bias[i];
    return 0;
}

/* silu(gate) * up, torch's silu g / (1 + exp(-g)) rounded once from double: q8 activations
 * turn a 1-ulp difference into a flipped int8, so this stays as close as it can to the
 * correctly rounded value torch's vectorized silu also approximates. */
void tw_silu_mul(const float *gate_up, int hidden, float *out) {
    for (int i = 0; i < hidden; i++) {
        double g = gate_up[i];
        out[i] = (float)(g / (1.0 + exp(-g))) * gate_up[hidden + i];
    }
}

/* The decode step of cache row `row` at position `pos`: x = embedding (a row of the table),
 * cos/sin this position's RoPE half tables; out[dim] = final_norm(last hidden state).
 * Returns 0, or -1 if a kernel ran out of memory. */
int tw_decode_step(const tw_model *m, const tw_layer *layers, const float *embedding,
                   const float *cos, const float *sin, int row, int pos, int threads,
                   float *out) {
    int d = m->head_dim, qkv_n = (m->heads + 2 * m->kv_heads) * d, att_n = m->heads * d;
    size_t slot = (size_t)row * m->kv_heads * m->max_seq * d;
    float *x = m->x, *h = m->h;
    memcpy(x, embedding, sizeof(float) * m->dim);
    for (int i = 0; i < m->layers; i++) {
        const tw_layer *L = layers + i;
        tw_rmsnorm(x, L->attn_norm, 1, m->dim, m->eps, h);
        if (linear(m, &L->wqkv, h, m->dim, qkv_n, m->qkv, threads)) return -1;
        if (tw_attend_decode(m->qkv, cos, sin, L->k_cache + slot, L->v_cache + slot, m->heads,
                             m->kv_heads, d, m->max_seq, pos, m->att))
            return -1;
        if (linear(m, &L->wo, m->att, att_n, m->dim, h, threads)) return -1;
        for (int j = 0; j < m->dim; j++) x[j] += h[j];
        tw_rmsnorm(x, L->ffn_norm, 1, m->dim, m->eps, h);
        if (linear(m, &L->w13, h, m->dim, 2 * m->hidden, m->gate_up, threads)) return -1;
        tw_silu_mul(m->gate_up, m->hidden, m->act);
        if (linear(m, &L->w2, m->act, m->hidden, m->dim, h, threads)) return -1;
        for (int j = 0; j < m->dim; j++) x[j] += h[j];
    }
    tw_rmsnorm(x, m->final_norm, 1, m->dim, m->eps, out);
    return 0;
}

/* The q8 output head's fp32 refinement (`Q8OutputHead`): for each of m rows, logits[r, i] =
 * x[r] . W[i] (+ bias[i]) for the `count` vocabulary ids idx[r, :], W row-major fp32 [n, k].
 * In C because torch's gather + bmm + scatter for it opened OpenMP regions each step whose
 * spinning threads then took the cores from the kernels' pool (2 threads: ~4 ms a token). */
void tw_refine_rows(const float *x, int m, int k, const float *w, const float *bias,
                    const int64_t *idx, int count, int n, float *logits) {
    for (int r = 0; r < m; r++)
        for (int j = 0; j < count; j++) {
            int64_t id = idx[(int64_t)r * count + j];
            const float *row = w + id * k, *v = x + (int64_t)r * k;
            float acc[16] = {0}, s = 0.0f;
            int i = 0;
            for (; i + 16 <= k; i += 16)
                for (int l = 0; l < 16; l++) acc[l] += v[i + l] * row[i + l];
            for (int l = 0; l < 16; l++) s += acc[l];
            for (; i < k; i++) s += v[i] * row[i];
            logits[(int64_t)r * n + id] = bias ? s + bias[id] : s;
        }
}
