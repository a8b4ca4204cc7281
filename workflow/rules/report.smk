# Figures drawn from the result tables (plotting code: iouq.plotting; style: iouq.plotstyle).
# Every figure is written as PNG (marked for the report) and PDF.


rule plot_interval_widths:
    input:
        intervals=interval_results,
        multipliers=results("{dataset}/multipliers.csv"),
    output:
        png=report(results("{dataset}/interval/widths.png"), caption="../report/interval_widths.rst",
                   category="Interval", subcategory="{dataset}", labels={"item": "widths vs tolerance", "tolerance": "all"}),
        pdf=results("{dataset}/interval/widths.pdf"),
    params:
        tolerances=TOLERANCES,
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
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
        comparison=results("miernyk/interval/jerrell_comparison.csv"),
        multipliers=results("miernyk/multipliers.csv"),
    output:
        png=report(results("miernyk/interval/jerrell_comparison.png"), caption="../report/jerrell.rst",
                   category="Interval", subcategory="miernyk", labels={"item": "Jerrell (1995)", "tolerance": "all"}),
        pdf=results("miernyk/interval/jerrell_comparison.pdf"),
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        logs("report/miernyk/jerrell_comparison.log"),
    benchmark:
        logs("benchmarks/report/miernyk/jerrell_comparison.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_jerrell_comparison.py"


# One job per dataset draws the figure of every tolerance (png_<k>, pdf_<k>: tolerance k of
# TOLERANCES; each PNG in the report with its own tolerance label).
rule plot_method_comparison:
    input:
        densities=per_tolerance(results("{dataset}/stochastic/tol-{tol}_densities.csv")),
        intervals=per_tolerance(results("{dataset}/interval/tol-{tol}.csv")),
        summary=per_tolerance(results("{dataset}/stochastic/tol-{tol}.csv")),
        diagnostics=per_tolerance(results("{dataset}/stochastic/tol-{tol}_diagnostics.csv")),
    output:
        **per_tolerance_outputs("png", results("{dataset}/stochastic/tol-{tol}_comparison.png"),
                                              caption="../report/densities.rst", category="Stochastic",
                                              subcategory="{dataset}", labels={"item": "densities"}),
        **per_tolerance_outputs("pdf", results("{dataset}/stochastic/tol-{tol}_comparison.pdf")),
    params:
        tolerances=TOLERANCES,
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("figures"),
    log:
        logs("report/{dataset}/comparison.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/comparison.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_method_comparison.py"


rule plot_importance:
    input:
        limits=results(f"{{dataset}}/importance/tol-{TOLERANCES[0]}.csv"),
        zeroing=results("{dataset}/importance/zeroing.csv"),
    output:
        png=report(results("{dataset}/importance/importance.png"), caption="../report/importance.rst",
                   category="Importance", subcategory="{dataset}",
                   labels={"item": "tolerable limits and zeroing", "tolerance": TOLERANCES[0]}),
        pdf=results("{dataset}/importance/importance.pdf"),
    params:
        p=IMPORTANCE["p"],
        cutoff=IMPORTANCE["cutoff"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        logs("report/{dataset}/importance.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/importance.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_importance.py"
