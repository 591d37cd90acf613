"""The next-item losses every sequential model here shares (SASRec, GRU4Rec).

A sequential model maps [B, L] item ids (left-padded with 0, newest last) to [B, L, dim] hidden
states; the state at position t scores every item by a dot product with the (shared) item
embedding table as the prediction of item t+1. Only the encoder differs between models, so the
loss is a function of those hidden states, not a method each model copies.

Losses: "full" = cross-entropy over the whole catalogue (what makes SASRec strong, Klenitskiy &
Vasilev 2023); "gbce" = gSASRec's generalized BCE over `negatives` uniform samples, for
catalogues too large for a full softmax (Petrov & Macdonald 2023).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

NUM_RESERVED = 2  # vocab.py: ids 0 (padding) and 1 (OOV)


def seen_before(inputs: torch.Tensor, num_items: int) -> torch.Tensor:
    """[B, L, num_items - NUM_RESERVED] bool: item i is at input position <= t of row b."""
    b, length = inputs.shape
    positions = torch.arange(length, device=inputs.device).expand(b, -1)
    first = torch.full((b, num_items), length, dtype=torch.long, device=inputs.device)
    first.scatter_reduce_(1, inputs, positions, reduce="amin")
    return first[:, None, NUM_RESERVED:] <= positions[0][None, :, None]


def next_item_loss(
    hidden: torch.Tensor,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    table: torch.Tensor,
    loss: str = "full",
    negatives: int = 256,
    gbce_t: float = 0.75,
    mask_seen: bool = False,
) -> torch.Tensor:
    """Mean next-item loss over non-pad target positions; hidden [B, L, dim], inputs/targets [B, L].

    `mask_seen` (full loss only): each position's softmax leaves out the items already in
    the window up to it (never its own target), the rule full-ranking evaluation applies
    to the user's history, so training does not spend the tied embeddings on pushing seen
    items down and the gradient goes to telling unseen items apart."""
    mask = targets > 0
    h, y = hidden[mask], targets[mask]
    if loss == "full":  # over real items only: padding and OOV are never a next item
        logits = (h @ table[NUM_RESERVED:].T).float()
        if mask_seen:
            seen = seen_before(inputs, table.shape[0])[mask]
            seen[torch.arange(len(y), device=y.device), y - NUM_RESERVED] = False
            logits = logits.masked_fill(seen, float("-inf"))
        return F.cross_entropy(logits, y - NUM_RESERVED)
    num_items = table.shape[0]
    neg = torch.randint(2, num_items, (len(y), negatives), device=y.device)
    pos_logit = (h * table[y]).sum(-1)
    neg_logit = torch.einsum("md,mkd->mk", h, table[neg])
    alpha = negatives / (num_items - 3)
    beta = alpha * (gbce_t * (1 - 1 / alpha) + 1 / alpha)
    pos_term = beta * F.logsigmoid(pos_logit.float())
    neg_term = F.logsigmoid(-neg_logit.float()).sum(-1)
    return -(pos_term + neg_term).mean()


class NextItemModel(nn.Module):
    """What every sequential model here offers on top of its encoder (`forward`: [B, L] ids ->
    [B, L, dim] states) and its item table `item_emb`: the user vector retrieval and export
    use, the item vectors it is matched against, and the shared next-item loss."""

    item_emb: nn.Embedding

    def user_vector(self, seq: torch.Tensor) -> torch.Tensor:
        """[B, L] -> [B, dim]: the state after the newest item (what retrieval and export use)."""
        return self.forward(seq)[:, -1]

    def item_vectors(self) -> torch.Tensor:
        return self.item_emb.weight

    def loss(
        self,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        loss: str = "full",
        negatives: int = 256,
        gbce_t: float = 0.75,
        mask_seen: bool = False,
    ) -> torch.Tensor:
        """Mean next-item loss over non-pad target positions (`next_item.next_item_loss`)."""
        return next_item_loss(self.forward(inputs), inputs, targets, self.item_emb.weight,
                              loss, negatives, gbce_t, mask_seen)
