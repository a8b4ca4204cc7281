# Figures drawn from the result tables (plotting code: iouq.plotting).


rule plot_interval_widths:
    input:
        intervals=interval_results,
        multipliers=RESULTS + "{dataset}/multipliers.csv",
    output:
        RESULTS + "{dataset}/interval/widths.png",
    params:
        tolerances=TOLERANCES,
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        LOGS + "report/{dataset}/widths.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/widths.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_interval_widths.py"


rule plot_jerrell_comparison:
    input:
        RESULTS + "miernyk/interval/jerrell_comparison.csv",
    output:
        RESULTS + "miernyk/interval/jerrell_comparison.png",
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        LOGS + "report/miernyk/jerrell_comparison.log",
    benchmark:
        LOGS + "benchmarks/report/miernyk/jerrell_comparison.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_jerrell_comparison.py"


rule plot_method_comparison:
    input:
        densities=RESULTS + "{dataset}/stochastic/tol-{tol}_densities.csv",
        intervals=RESULTS + "{dataset}/interval/tol-{tol}.csv",
    output:
        RESULTS + "{dataset}/stochastic/tol-{tol}_comparison.png",
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        LOGS + "report/{dataset}/comparison-tol-{tol}.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/comparison-tol-{tol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_method_comparison.py"


rule plot_importance:
    input:
        limits=RESULTS + f"{{dataset}}/importance/tol-{TOLERANCES[0]}.csv",
        zeroing=RESULTS + "{dataset}/importance/zeroing.csv",
    output:
        RESULTS + "{dataset}/importance/importance.png",
    params:
        p=IMPORTANCE["p"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        LOGS + "report/{dataset}/importance.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/importance.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_importance.py"
