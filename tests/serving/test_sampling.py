"""Per-row sampling used by the continuous-batching scheduler."""

from __future__ import annotations

import torch

from torchworks.serving.sampling import SamplingParams, make_generator, penalize_repetition, sample


def test_greedy_rows_take_the_argmax_and_sampled_rows_respect_top_k_and_top_p():
    logits = torch.tensor([[0.0, 5.0, 1.0, 4.9], [3.0, 2.9, 0.0, -1.0], [1.0, 1.0, 1.0, 1.0]])
    params = [SamplingParams(), SamplingParams(temperature=1.0, top_k=2),
              SamplingParams(temperature=1.0, top_p=0.5)]
    seen: list[set[int]] = [set(), set(), set()]
    for seed in range(200):
        gens = [None, make_generator(seed, torch.device("cpu")),
                make_generator(seed + 1000, torch.device("cpu"))]
        for row, token in enumerate(sample(logits, params, gens)):
            seen[row].add(token)
    assert seen[0] == {1}
    assert seen[1] == {0, 1}  # only the two most likely tokens
    assert seen[2] <= {0, 1} and len(seen[2]) == 2  # ties: the first half of the mass


def test_same_seed_same_tokens_whatever_the_batch_neighbours():
    logits = torch.randn(3, 50, generator=torch.Generator().manual_seed(0))
    params = [SamplingParams(temperature=0.8, top_p=0.9)] * 3
    alone = sample(logits[1:2], params[:1], [make_generator(7, torch.device("cpu"))])
    crowd = sample(logits, params, [make_generator(1, torch.device("cpu")),
                                    make_generator(7, torch.device("cpu")),
                                    make_generator(2, torch.device("cpu"))])
    assert crowd[1] == alone[0]


def test_repetition_penalty_turns_the_greedy_choice_away_from_seen_tokens():
    logits = torch.tensor([[4.0, 3.0, -1.0, 0.5], [4.0, 3.0, -1.0, 0.5]])
    params = [SamplingParams(repetition_penalty=1.5), SamplingParams()]
    # row 0 has seen token 0 (twice: penalized once, 4 / 1.5 < 3); row 1 has no penalty
    assert sample(logits, params, [None, None], [[0, 0, 2], [0]]) == [1, 0]
    assert logits[0, 0] == 4.0, "the caller's logits were modified"
    assert penalize_repetition(logits[0], [0, 2], 2.0).tolist() == [2.0, 3.0, -2.0, 0.5]
    assert penalize_repetition(logits[0], [0, 2], 1.0).tolist() == logits[0].tolist()


def test_repetition_penalty_lowers_a_seen_tokens_sampled_share():
    logits = torch.tensor([[2.0, 2.0, 0.0]])

    def share_of_zero(penalty: float) -> float:
        gen = make_generator(0, torch.device("cpu"))
        params = [SamplingParams(temperature=1.0, repetition_penalty=penalty)]
        draws = [sample(logits, params, [gen], [[0]])[0] for _ in range(400)]
        return draws.count(0) / len(draws)

    assert share_of_zero(1.0) > 0.35 and share_of_zero(2.0) < 0.35
