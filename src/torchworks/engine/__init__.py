"""Training-loop building blocks shared by every recipe; knows no domain (images, text, items).

A toolbox, not a Trainer: the recipe keeps its loop and calls these (each module's docstring
shows its usage):

    precision    resolve_precision(amp, device) -> Precision (.autocast(), .grad_scaler())
    compile      maybe_compile(model, enabled=, device=), unwrap_model(model)
    distributed  init_distributed() -> DistInfo, wrap_ddp, no_sync_unless, all_reduce_sum
    sampler      ResumableSampler (seeded per epoch, DDP shards, state_dict), seeded_generator
    step         backward(loss, scaler), optimizer_step(opt, model, scaler=, clip_norm=)
    schedule     lr_schedule(opt, "cosine", total_steps=, warmup_steps=)
    seed         seed_everything(seed, deterministic=), capture_rng / restore_rng
    checkpoint   build_state, save_checkpoint (atomic), load_checkpoint (weights_only),
                 restore_state -> Position, CheckpointDir (keep-last-N + best.pt)
    resume       resume_checkpoint (newest intact, or the chosen one), remove_orphan_temps
    rundir       claim_run_dir (run.json: refuse another run's folder, check a resumed config)
    splits       holdout_split (seeded, stratified validation hold-out from training data)
    metrics      MetricsLogger (CSV + TensorBoard), confusion_matrix;  plots: PNG curves
    progress     progress_bar (samples/s, ETA);  oom: explain_oom (what to lower)
"""
