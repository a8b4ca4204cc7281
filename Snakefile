# iouq pipeline: uncertainty analysis of input-output (Leontief) tables.
#
#   snakemake --cores 2            # default pipeline on the bundled tables (or: make results)
#   snakemake --lint               # best-practice checks (or: make lint)
#   snakemake --report results/report.html   # self-contained HTML report (or: make report)
#
# Configuration: config/config.yaml, validated against workflow/schemas/config.schema.yaml.
# Results: results/{dataset}/..., logs: logs/..., per-job benchmarks: logs/benchmarks/...

from snakemake.utils import min_version

min_version("8.20")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/multipliers.smk"
include: "workflow/rules/interval.smk"
include: "workflow/rules/importance.smk"
include: "workflow/rules/stochastic.smk"
include: "workflow/rules/regional.smk"
include: "workflow/rules/footprints.smk"
include: "workflow/rules/satellites.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/dynamic_common.smk"
include: "workflow/rules/dynamic.smk"
include: "workflow/rules/compare.smk"


rule all:
    default_target: True
    input:
        final_outputs,
        dynamic_outputs(),
        comparison_outputs,
