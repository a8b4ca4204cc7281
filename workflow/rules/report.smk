# Figures drawn from the result tables (plotting code: iouq.plotting).


rule plot_interval_widths:
    input:
        intervals=interval_results,
        multipliers=results("{dataset}/multipliers.csv"),
    output:
        results("{dataset}/interval/widths.png"),
    params:
        tolerances=TOLERANCES,
    log:
        logs("report/{dataset}/widths.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/widths.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_interval_widths.py"


rule plot_jerrell_comparison:
    input:
        results("miernyk/interval/jerrell_comparison.csv"),
    output:
        results("miernyk/interval/jerrell_comparison.png"),
    log:
        logs("report/miernyk/jerrell_comparison.log"),
    benchmark:
        logs("benchmarks/report/miernyk/jerrell_comparison.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_jerrell_comparison.py"


rule plot_method_comparison:
    input:
        densities=results("{dataset}/stochastic/tol-{tol}_densities.csv"),
        intervals=results("{dataset}/interval/tol-{tol}.csv"),
    output:
        results("{dataset}/stochastic/tol-{tol}_comparison.png"),
    log:
        logs("report/{dataset}/comparison-tol-{tol}.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/comparison-tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_method_comparison.py"


rule plot_importance:
    input:
        limits=results(f"{{dataset}}/importance/tol-{TOLERANCES[0]}.csv"),
        zeroing=results("{dataset}/importance/zeroing.csv"),
    output:
        results("{dataset}/importance/importance.png"),
    params:
        p=IMPORTANCE["p"],
    log:
        logs("report/{dataset}/importance.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/importance.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_importance.py"
