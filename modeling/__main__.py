"""Command line: `python -m modeling train|score|predict|monitor|sign|verify`."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

from database.archive import atomic_file
from database.checksums import file_sha256
from database.config import get_engine
from modeling.config import SigningKeys, TrainConfig
from modeling.monitoring.cli import (
    after_store,
    monitor,  # model monitoring (#14)
)
from modeling.serving import dask_batch
from modeling.serving.artifact import (
    CARD_FILE,
    SHA256_KEY,
    ModelError,
    load_bundle,
    resolve,
    verified,
)
from modeling.serving.dask_batch import DaskFailure
from modeling.serving.decision import with_final_decisions
from modeling.serving.scorer import Scorer
from modeling.serving.signing import SIGNATURE_FILE, SignatureError, sign_folder
from modeling.serving.store import latest_load_run, replace_scores, snapshot, write_scores
from modeling.wording import catalogue
from settings.cli import CONTEXT, dataclass_options, run

MODEL_HELP = "model folder (default MODEL_DIR/latest)"


@click.group(name="python -m modeling", context_settings=CONTEXT, help="Train, score and batch-predict.")
def cli() -> None:
    """The commands of the modeling package."""


@cli.command(help="train a model and publish it in MODEL_DIR (default models/)")
@dataclass_options(TrainConfig)
def train(**options) -> None:
    """``train``: one option per field of TrainConfig."""
    run_train(TrainConfig(**options))


@cli.command(help="score one client of the database and print JSON")
@click.argument("client_id", type=int, metavar="CLIENT_ID")
@click.option("--lang", type=click.Choice(catalogue.LANGS), default=catalogue.DEFAULT_LANG, help="language of the reasons")
@click.option("--model", type=click.Path(path_type=Path), default=None, help=MODEL_HELP)
def score(client_id: int, lang: str, model: Path | None) -> None:
    """``score CLIENT_ID`` (SK_ID_CURR)."""
    run_score(client_id, lang, model)


@cli.command(help="score every client of the database into a CSV file and/or the score store")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="CSV file to write: the model's probability, decision, points and grade, and the bank's "
                   "final_decision (the latest advisor review, else the model's) with who decided, when and why")
@click.option("--store", is_flag=True, help="write the scores and reasons to the client_score table, served until the "
                                            "next load")
@click.option("--model", type=click.Path(path_type=Path), default=None, help=MODEL_HELP)
@click.option("--no-monitor", is_flag=True, help="with --store: do not record a monitoring result")
@click.option("--engine", type=click.Choice(("single", "dask")), default="single",
              help="single: one process; dask: partitions of clients on a Dask cluster")
@click.option("--scheduler", default=None,
              help="with --engine dask: address of a running Dask scheduler (default: start a local cluster)")
@click.option("--workers", type=int, default=2,
              help="with --engine dask and no scheduler: worker processes of the local cluster, one thread each")
@click.option("--partition-size", type=int, default=None,
              help="with --engine dask: clients per partition (default 20000; bounds a worker's memory)")
def predict(**options) -> None:
    """``predict``: the batch, in one process or on Dask."""
    run_predict(Predict(**options))


@cli.command(help="sign every file of a model folder with the current key (MODEL_SIGNING_KEY): a folder trained "
                  "before signing, or re-signed with a new key in a rotation. A signed folder must first verify with "
                  "an accepted key (MODEL_SIGNING_KEY, MODEL_VERIFY_KEYS); an unsigned one must hold the model.pkl "
                  "its card records. See docs/operations.md, 'Model signing'.",
             short_help="sign every file of a model folder with the current key (MODEL_SIGNING_KEY)")
@click.argument("folder", type=click.Path(path_type=Path))
def sign(folder: Path) -> None:
    """``sign FOLDER``: FOLDER is a model folder (e.g. models/2026-12-01T0900Z-1a2b3c4d)."""
    run_sign(folder)


@cli.command(help="check a model folder's signature over every file, as the servers do; FOLDER is the model "
                  "folder (default MODEL_DIR/latest)",
             short_help="check a model folder's signature over every file, as the servers do")
@click.argument("folder", type=click.Path(path_type=Path), required=False)
def verify(folder: Path | None) -> None:
    """``verify [FOLDER]``."""
    run_verify(folder)


cli.add_command(monitor)


@dataclass(frozen=True)
class Predict:
    """The options of ``predict``."""

    out: Path | None
    store: bool
    model: Path | None
    no_monitor: bool
    engine: str
    scheduler: str | None
    workers: int
    partition_size: int | None


def run_train(cfg: TrainConfig) -> None:
    from modeling.training.train import train  # deferred: training package

    r = train(cfg)
    cv, family, business = r.champion.cv, r.champion.family, r.decision.business
    print(f"model {r.folder.name}: {len(r.data.y)} clients, production family {family}"
          f"{f' ({r.search.strategy})' if family == 'lightgbm' else ''}, pooled out-of-fold AUC {cv.pooled_auc:.4f} "
          f"(mean per fold {cv.auc_mean:.4f} ± {cv.auc_std:.4f}), threshold {business.threshold:.4f}, "
          f"cost/client {business.cost_per_client:.4f}, approval {business.approval_rate:.1%}, "
          f"{r.seconds:.0f}s ({r.cpu_seconds:.0f}s CPU) -> {r.folder}")


def run_score(client_id: int, lang: str, model: Path | None) -> None:
    result = Scorer(load_bundle(model), get_engine()).score(client_id, lang)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def run_predict(args: Predict) -> None:
    if args.out is None and not args.store:
        raise ValueError("nothing to write: give --out FILE.csv, --store or both")
    if args.engine == "dask":
        return run_predict_dask(args)
    scorer = Scorer(load_bundle(args.model), get_engine())

    run_id, features = snapshot(scorer, _say)  # computed once for the store and the CSV
    if args.store:
        s = write_scores(scorer, features, run_id, progress=_say)
        _stored_line(s)
        if not args.no_monitor:
            after_store(scorer, features, _say)
    if args.out is not None:
        frame = with_final_decisions(scorer.engine, scorer.score_frame(features))
        _write_csv(frame, args.out)
        _written_line(frame, args.out)


def run_predict_dask(args: Predict) -> None:
    """``predict --engine dask``: partitions scored on the cluster, results written once here."""
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


def run_sign(folder: Path) -> None:
    folder = resolve(folder)
    keys = SigningKeys.from_env()
    if (folder / SIGNATURE_FILE).exists():
        verified(folder, keys)  # re-signing never blesses a folder changed since its last signature
    else:
        card = json.loads((folder / CARD_FILE).read_text()) if (folder / CARD_FILE).is_file() else {}
        if card.get(SHA256_KEY) != file_sha256(folder / "model.pkl"):
            raise ModelError(f"{folder}/model.pkl is not the one its card records: this folder is not the one "
                             "training wrote; retrain with `python -m modeling train` instead of signing it")
    print(f"{folder}: every file signed with key {sign_folder(folder, keys)} -> {folder / SIGNATURE_FILE}")


def run_verify(folder: Path | None) -> None:
    folder = resolve(folder)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as temporary:
        frame.to_csv(temporary, index=False)


def _dask_failure() -> type[Exception]:
    """The batch engine's failure type (defined without importing Dask)."""
    return DaskFailure


def main(argv: list[str] | None = None) -> int:
    """Entry point; expected failures end with a one-line message and exit code 1 (monitor: 2, see its module)."""
    try:
        return run(cli, argv, cli.name)
    except (ModelError, SignatureError, ValueError, FileNotFoundError, LookupError, _dask_failure()) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
