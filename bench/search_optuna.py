"""Optuna's side of bench/search.mjs: the same trials (a JSON file the .mjs wrote) as an Optuna study.

Times one TPE suggestion (study.ask() and a suggest_* call per parameter: what a user's objective
pays, multivariate=True and False) and PED-ANOVA importances (get_param_importances with
PedAnovaImportanceEvaluator, normalised as ours). Prints one JSON line. Exits 3 when Optuna is not
importable. Setup: python3 -m venv .venv-bench && .venv-bench/bin/pip install optuna==5.0.0 numpy
"""

import json
import platform
import statistics
import sys
import time
import warnings

try:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances
    from optuna.trial import TrialState, create_trial
except ImportError as e:
    print(f"optuna not importable: {e}", file=sys.stderr)
    sys.exit(3)

warnings.filterwarnings("ignore")  # multivariate TPE is an ExperimentalWarning
optuna.logging.set_verbosity(optuna.logging.WARNING)

spec = json.load(open(sys.argv[1]))
params = spec["params"]
reps, warmup = spec["reps"], spec["warmup"]


def distribution(p):
    if p["kind"] == "float":
        return FloatDistribution(p["low"], p["high"], log=p["log"])
    if p["kind"] == "int":
        return IntDistribution(p["low"], p["high"], log=p["log"])
    return CategoricalDistribution(p["choices"])


dists = {p["name"]: distribution(p) for p in params}
frozen = [create_trial(params=t["params"], distributions=dists, value=t["value"]) for t in spec["trials"]]


def study_with(sampler=None):
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.add_trials(frozen)
    return study


def suggest(trial, p):
    if p["kind"] == "float":
        return trial.suggest_float(p["name"], p["low"], p["high"], log=p["log"])
    if p["kind"] == "int":
        return trial.suggest_int(p["name"], p["low"], p["high"], log=p["log"])
    return trial.suggest_categorical(p["name"], p["choices"])


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


tpe = {}
for key, multivariate in (("multivariate", True), ("independent", False)):
    study = study_with(optuna.samplers.TPESampler(multivariate=multivariate, seed=7))
    ms = []
    for i in range(warmup + reps):
        t0 = time.perf_counter()
        trial = study.ask()
        for p in params:
            suggest(trial, p)
        dt = (time.perf_counter() - t0) * 1000
        # Failed: never an observation (nor a constant liar), so every suggestion sees the same 1,000 trials.
        study.tell(trial, state=TrialState.FAIL)
        if i >= warmup:
            ms.append(dt)
    tpe[key] = stats(ms)

study = study_with()
seconds = []
ranking = None
for i in range(1 + spec["importanceReps"]):
    t0 = time.perf_counter()
    result = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator(), normalize=True)
    dt = time.perf_counter() - t0
    if i >= 1:
        seconds.append(dt)
    ranking = [{"param": k, "importance": v} for k, v in result.items()]

print(
    json.dumps(
        {
            "version": optuna.__version__,
            "python": platform.python_version(),
            "tpe": tpe,
            "importance": {**stats(seconds), "ranking": ranking},
        }
    )
)
