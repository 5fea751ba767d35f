"""Column names and dtypes of the catalog's tables — defined once, imported everywhere.

``minutes`` is always *minutes to train*: the MLPerf Training score (olympic mean of the runs, times the
benchmark's scaling factor), in minutes.
"""

from __future__ import annotations

#: The longest plausible minutes to train (60 days): a run or result beyond it is a corrupt log or file, not a
#: score (MLPerf results in the catalog take at most ~20 hours; a timestamp of 1e308 ms was imported as measured).
MAX_MINUTES = 60 * 24 * 60.0

#: MLPerf divisions and system availability statuses, as the importer normalises them.
DIVISIONS: tuple[str, ...] = ("closed", "open")
STATUSES: tuple[str, ...] = ("available", "preview", "rdi")

#: results.csv — one row per (round, submitter, system_id, benchmark_folder).
RESULT_DTYPES: dict[str, str] = {
    "round": "string",  # round as its folder spells it, e.g. "v2.0"
    "division": "string",  # closed | open
    "status": "string",  # available | preview | rdi
    "submitter": "string",  # submitter's folder name
    "system_id": "string",  # the system JSON's file stem = results/<system_id>/
    "system_name": "string",  # system_name from the JSON (may repeat across systems)
    "benchmark": "string",  # canonical benchmark id (catalog.registry)
    "benchmark_folder": "string",  # raw folder name
    "minutes": "Float64",  # minutes to train (published score); <NA> when unscoreable
    "runs_required": "Int64",
    "runs_found": "Int64",
    "runs_succeeded": "Int64",
    "scaling_factor": "Float64",
    "accelerator_id": "string",  # <NA> for CPU-only or unmapped names
    "accelerator_name_raw": "string",
    "accelerator_memory_raw": "string",
    "accelerators": "Int64",  # total accelerator count = nodes x accelerators_per_node
    "accelerators_per_node": "Int64",
    "nodes": "Int64",
    "host_cpu": "string",
    "framework": "string",
    "cooling": "string",  # air | liquid | immersion | <NA> (unknown)
    "cooling_raw": "string",
    # MLPerf Power results (power submissions only; <NA> elsewhere), MLCommons' energy rule (catalog.mlperf.power):
    "energy_kwh": "Float64",  # energy to train: olympic mean of the kept runs' energies x scaling factor, kWh
    "avg_power_kw": "Float64",  # energy_kwh / time to train (all nodes and switches), kW
    "avg_node_power_kw": "Float64",  # avg_power_kw / nodes, kW
    "power_measurement_type": "string",  # AC (at the wall, conversion_eff applied) | DC | <NA>
    "duplicate_of": "string",  # "round/submitter/system_id/benchmark_folder" of the earlier identical runs
    "score_note": "string",  # why minutes is empty, or what was irregular
}
RESULT_COLUMNS: list[str] = list(RESULT_DTYPES)
RESULT_KEY: list[str] = ["round", "submitter", "system_id", "benchmark_folder"]

#: accelerators.csv (shipped) — ../shared/hardware/accelerators.csv plus the reference price from defaults.csv.
ACCELERATOR_DTYPES: dict[str, str] = {
    "accelerator_id": "string",
    "vendor": "string",
    "name": "string",
    "form_factor": "string",  # sxm | oam | pcie | tpu | other
    "memory_gb": "Float64",
    "memory_bandwidth_gbps": "Float64",
    "peak_fp16_bf16_dense_tflops": "Float64",
    "peak_fp8_dense_tflops": "Float64",
    "peak_fp4_dense_tflops": "Float64",
    "peak_fp32_tflops": "Float64",
    "peak_tf32_dense_tflops": "Float64",
    "tdp_watts": "Float64",
    "interconnect_gbps": "Float64",
    "release_date": "string",
    "launch_price_usd": "Float64",  # history, NOT the reference price
    "price_source": "string",  # source of launch_price_usd
    "spec_source": "string",
    "in_mlperf_training": "string",
    "notes": "string",
    "reference_price_usd": "Float64",  # defaults.csv reference_price_usd; <NA> = no sourced price
    "reference_price_source": "string",
    "reference_price_confidence": "string",
    "reference_price_as_of": "string",
}
ACCELERATOR_COLUMNS: list[str] = list(ACCELERATOR_DTYPES)

#: defaults.csv (shipped verbatim from ../shared/hardware/defaults.csv).
DEFAULTS_DTYPES: dict[str, str] = {
    "parameter": "string",
    "applies_to": "string",
    "value": "Float64",
    "unit": "string",
    "source": "string",
    "confidence": "string",
    "as_of": "string",
    "notes": "string",
}

#: cloud_prices.csv (shipped verbatim from ../shared/hardware/cloud_prices.csv): cloud list prices per
#: accelerator-hour, one row per (provider, accelerator_id, instance_type, pricing, region).
CLOUD_PRICE_DTYPES: dict[str, str] = {
    "provider": "string",  # AWS | Azure | Google Cloud | ...
    "accelerator_id": "string",  # id of accelerators.csv
    "instance_type": "string",  # e.g. p5.48xlarge
    "gpus_per_instance": "Int64",
    "pricing": "string",  # on_demand | spot | reserved/commitment terms as the source names them
    "usd_per_accelerator_hour": "Float64",
    "region": "string",
    "as_of": "string",  # YYYY-MM
    "source": "string",
    "confidence": "string",  # H | M | L
    "notes": "string",
}
