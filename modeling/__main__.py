"""Command line: `python -m modeling train|score|predict|monitor|sign|verify`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from modeling.config import CANDIDATES, STRATEGIES, TrainConfig
from modeling.wording import catalogue


def _names_among(allowed: tuple[str, ...], what: str):
    """An argparse type: a comma-separated list of names, each one of ``allowed``."""
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(s.strip() for s in text.split(",") if s.strip())
        bad = [s for s in names if s not in allowed]
        if bad or not names:
            raise argparse.ArgumentTypeError(f"unknown {what} {bad[0] if bad else text!r}: use {','.join(allowed)}")
        return names
    return parse


_strategies = _names_among(STRATEGIES, "strategy")
_candidates = _names_among(CANDIDATES, "candidate")


def _protected(text: str) -> tuple[str, ...]:
    from modeling.policy import parse

    try:
        return parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    """Arguments of the three commands."""
    p = argparse.ArgumentParser(prog="python -m modeling", description="Train, score and batch-predict.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model and publish it in MODEL_DIR (default models/)")
    t.add_argument("--folds", type=int, default=5, help="stratified CV folds (default 5)")
    t.add_argument("--max-evals", type=int, default=30, help="Hyperopt evaluations, 0 = default parameters (default 30)")
    t.add_argument("--sample", type=int, default=None, help="train on a stratified sample of N labelled clients")
    t.add_argument("--cost-fn", type=float, default=10.0, help="cost of a bad loan granted, unit mode (default 10)")
    t.add_argument("--cost-fp", type=float, default=1.0, help="cost of a good client refused, unit mode (default 1)")
    t.add_argument("--cost-mode", choices=("unit", "money"), default="unit",
                   help="unit: fixed costs; money: FN = LGD x AMT_CREDIT, FP = margin x AMT_CREDIT")
    t.add_argument("--lgd", type=float, default=0.6, help="loss given default in money mode (default 0.6)")
    t.add_argument("--margin", type=float, default=0.1, help="lost margin rate in money mode (default 0.1)")
    t.add_argument("--strategies", type=_strategies, default=STRATEGIES,
                   help=f"imbalance strategies to compare (default {','.join(STRATEGIES)})")
    t.add_argument("--compare-rows", type=int, default=20000,
                   help="stratified subsample size for the strategy comparison (default 20000)")
    t.add_argument("--seed", type=int, default=42)
    t.add_argument("--n-jobs", type=int, default=2, help="LightGBM threads (default 2)")
    t.add_argument("--source", type=Path, default=None, help="folder of Kaggle CSV files instead of the database")
    t.add_argument("--true-pd", type=Path, default=None,
                   help="CSV of true default probabilities (synthetic data; default data/synthetic/true_pd.csv if present)")
    t.add_argument("--no-baselines", action="store_true", help="skip the baseline models")
    t.add_argument("--candidates", type=_candidates, default=CANDIDATES,
                   help=f"model families competing for production (default {','.join(CANDIDATES)})")
    t.add_argument("--protected", type=_protected, default=None,
                   help="application columns the model may not use, comma-separated or 'none' "
                        "(default: env PROTECTED_ATTRIBUTES, else CODE_GENDER)")
    t.add_argument("--no-policy-cost", action="store_true",
                   help="skip measuring what the protected-attribute policy costs (one cross-validation less)")
    t.add_argument("--no-fairness", action="store_true", help="skip the fairness audit")

    s = sub.add_parser("score", help="score one client of the database and print JSON")
    s.add_argument("client_id", type=int, help="SK_ID_CURR")
    s.add_argument("--lang", choices=catalogue.LANGS, default=catalogue.DEFAULT_LANG)
    s.add_argument("--model", type=Path, default=None, help="model folder (default MODEL_DIR/latest)")

    b = sub.add_parser("predict", help="score every client of the database into a CSV file and/or the score store")
    b.add_argument("--out", type=Path, default=None,
                   help="CSV file to write: the model's probability, decision, points and grade, and the bank's "
                        "final_decision (the latest advisor review, else the model's) with who decided, when and why")
    b.add_argument("--store", action="store_true",
                   help="write the scores and reasons to the client_score table, served until the next load")
    b.add_argument("--model", type=Path, default=None, help="model folder (default MODEL_DIR/latest)")
    b.add_argument("--no-monitor", action="store_true", help="with --store: do not record a monitoring result")
    b.add_argument("--engine", choices=("single", "dask"), default="single",
                   help="single: one process (default); dask: partitions of clients on a Dask cluster")
    b.add_argument("--scheduler", default=None,
                   help="with --engine dask: address of a running Dask scheduler (default: start a local cluster)")
    b.add_argument("--workers", type=int, default=2, help="with --engine dask and no scheduler: worker processes "
                                                           "of the local cluster, one thread each (default 2)")
    b.add_argument("--partition-size", type=int, default=None,
                   help="with --engine dask: clients per partition (default 20000; bounds a worker's memory)")

    g = sub.add_parser("sign", help="sign every file of a model folder with the current key (MODEL_SIGNING_KEY): "
                                    "a folder trained before signing, or re-signed with a new key in a rotation",
                       description="Sign a model folder the bank trusts. A signed folder must first verify with an "
                                   "accepted key (MODEL_SIGNING_KEY, MODEL_VERIFY_KEYS); an unsigned one must hold the "
                                   "model.pkl its card records. See docs/operations.md, 'Model signing'.")
    g.add_argument("folder", type=Path, help="model folder (e.g. models/2026-12-01T0900Z-1a2b3c4d)")
    v = sub.add_parser("verify", help="check a model folder's signature over every file, as the servers do")
    v.add_argument("folder", type=Path, nargs="?", default=None, help="model folder (default MODEL_DIR/latest)")

    from modeling.monitoring.cli import add_arguments as monitor_arguments  # model monitoring (#14)

    monitor_arguments(sub.add_parser("monitor", help="drift (PSI/CSI) and back-testing of the clients of the "
                                                     "database against the model's reference"))
    return p


def run_train(args) -> None:
    from modeling.training.train import train

    cfg = TrainConfig(folds=args.folds, max_evals=args.max_evals, sample=args.sample, cost_fn=args.cost_fn,
                      cost_fp=args.cost_fp, cost_mode=args.cost_mode, lgd=args.lgd, margin=args.margin,
                      strategies=args.strategies, seed=args.seed, source=args.source, true_pd=args.true_pd,
                      compare_rows=args.compare_rows, n_jobs=args.n_jobs, baselines=not args.no_baselines,
                      candidates=args.candidates, protected=args.protected, policy_cost=not args.no_policy_cost,
                      fairness=not args.no_fairness)
    r = train(cfg)
    cv, family, business = r.champion.cv, r.champion.family, r.decision.business
    print(f"model {r.folder.name}: {len(r.data.y)} clients, production family {family}"
          f"{f' ({r.search.strategy})' if family == 'lightgbm' else ''}, pooled out-of-fold AUC {cv.pooled_auc:.4f} "
          f"(mean per fold {cv.auc_mean:.4f} ± {cv.auc_std:.4f}), threshold {business.threshold:.4f}, "
          f"cost/client {business.cost_per_client:.4f}, approval {business.approval_rate:.1%}, "
          f"{r.seconds:.0f}s ({r.cpu_seconds:.0f}s CPU) -> {r.folder}")


def run_score(args) -> None:
    from database.config import get_engine
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer

    result = Scorer(load_bundle(args.model), get_engine()).score(args.client_id, args.lang)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def run_predict(args) -> None:
    from database.config import get_engine
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer

    if args.out is None and not args.store:
        raise ValueError("nothing to write: give --out FILE.csv, --store or both")
    if args.engine == "dask":
        return run_predict_dask(args)
    scorer = Scorer(load_bundle(args.model), get_engine())
    from modeling.serving.decision import with_final_decisions
    from modeling.serving.store import snapshot, write_scores

    run_id, features = snapshot(scorer, _say)  # computed once for the store and the CSV
    if args.store:
        s = write_scores(scorer, features, run_id, progress=_say)
        _stored_line(s)
        if not args.no_monitor:
            from modeling.monitoring.cli import after_store  # model monitoring (#14)

            after_store(scorer, features, _say)
    if args.out is not None:
        frame = with_final_decisions(scorer.engine, scorer.score_frame(features))
        _write_csv(frame, args.out)
        _written_line(frame, args.out)


def run_predict_dask(args) -> None:
    """``predict --engine dask``: partitions scored on the cluster, results written once here."""
    import time

    from database.config import get_engine
    from modeling.serving import dask_batch
    from modeling.serving.artifact import load_bundle, resolve
    from modeling.serving.decision import with_final_decisions
    from modeling.serving.store import latest_load_run, replace_scores

    started = time.perf_counter()
    folder = resolve(args.model)
    bundle = load_bundle(folder)  # checked here before any worker starts
    engine = get_engine()
    with engine.connect() as connection:
        run_id = latest_load_run(connection)  # read before the features, as snapshot() does
    client = dask_batch.client_for(args.scheduler, args.workers)
    try:
        frame = dask_batch.run(client, engine, folder.resolve(), bundle.version, explain=args.store,
                               size=args.partition_size or dask_batch.PARTITION, progress=_say)
    finally:
        dask_batch.close_client(client)
    if args.store:
        _stored_line(replace_scores(engine, bundle, [frame], run_id, started))
        if not args.no_monitor:
            _say("monitoring: not run by --engine dask (it needs every client's features in one process); "
                 "run `python -m modeling monitor`")
    if args.out is not None:
        frame = with_final_decisions(engine, frame[["SK_ID_CURR", "probability", "decision", "points", "grade"]])
        _write_csv(frame, args.out)
        _written_line(frame, args.out)
    print(f"dask batch: {len(frame)} clients in {time.perf_counter() - started:.0f} s")


def run_sign(args) -> None:
    from database.checksums import file_sha256
    from modeling.config import SigningKeys
    from modeling.serving.artifact import CARD_FILE, SHA256_KEY, ModelError, resolve, verified
    from modeling.serving.signing import SIGNATURE_FILE, sign_folder

    folder = resolve(args.folder)
    keys = SigningKeys.from_env()
    if (folder / SIGNATURE_FILE).exists():
        verified(folder, keys)  # re-signing never blesses a folder changed since its last signature
    else:
        card = json.loads((folder / CARD_FILE).read_text()) if (folder / CARD_FILE).is_file() else {}
        if card.get(SHA256_KEY) != file_sha256(folder / "model.pkl"):
            raise ModelError(f"{folder}/model.pkl is not the one its card records: this folder is not the one "
                             "training wrote; retrain with `python -m modeling train` instead of signing it")
    print(f"{folder}: every file signed with key {sign_folder(folder, keys)} -> {folder / SIGNATURE_FILE}")


def run_verify(args) -> None:
    from modeling.serving.artifact import resolve, verified

    folder = resolve(args.folder)
    manifest = verified(folder)
    print(f"{folder}: signature verified over {len(manifest.files)} files")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stored_line(s) -> None:
    print(f"{s.clients} clients scored and explained by model {s.model_version} ({s.refused / max(s.clients, 1):.1%} "
          f"refused) -> client_score, valid until the next load (run {s.load_run_id}); {s.seconds:.0f} s")


def _written_line(frame, path: Path) -> None:
    refused = (frame["decision"] == "refuse").mean() if len(frame) else 0.0
    print(f"{len(frame)} clients scored ({refused:.1%} refused) -> {path}")


def _write_csv(frame, path: Path) -> None:
    """Write the CSV atomically: a half-written file never replaces a good one."""
    from database.archive import atomic_file

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as temporary:
        frame.to_csv(temporary, index=False)


def _dask_failure() -> type[Exception]:
    """The batch engine's failure type (defined without importing Dask)."""
    from modeling.serving.dask_batch import DaskFailure

    return DaskFailure


def main(argv: list[str] | None = None) -> int:
    """Entry point; expected failures end with a one-line message and exit code 1 (2 for monitor)."""
    from modeling.monitoring.cli import run_monitor
    from modeling.serving.artifact import ModelError
    from modeling.serving.signing import SignatureError

    args = parser().parse_args(argv)
    try:
        {"train": run_train, "score": run_score, "predict": run_predict, "monitor": run_monitor, "sign": run_sign,
         "verify": run_verify}[args.command](args)
    except (ModelError, SignatureError, ValueError, FileNotFoundError, LookupError, _dask_failure()) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if args.command == "monitor" else 1  # monitor: 2 on bad input, 0 whatever the level
    return 0


if __name__ == "__main__":
    sys.exit(main())
