# Comparison layer: the three families side by side (iouq.compare; figures: iouq.plotting), the
# LaTeX tables, the provenance record and the report annotations. Results under RESULTS, logs
# and benchmarks under LOGS (workflow/rules/common.smk).

COMPARE = config["compare"]  # defaults filled by the schema
REPORT_DIR = "../report/"


def comparison_outputs(wildcards):
    """Every result of the comparison layer (part of the default target)."""
    outputs = [RESULTS + "provenance.yaml", RESULTS + "summary/widths.csv", RESULTS + "summary/widths.tex"]
    for dataset in DATASETS:
        outputs += expand(RESULTS + "{dataset}/compare/tol-{tol}.{ext}", dataset=dataset, tol=TOLERANCES,
                          ext=["csv", "tex"])
        outputs += expand(RESULTS + "{dataset}/compare/tol-{tol}_ranges.{ext}", dataset=dataset, tol=TOLERANCES,
                          ext=["png", "pdf"])
        outputs += expand(RESULTS + "{dataset}/compare/{name}.{ext}", dataset=dataset,
                          name=["widths", "variance_share"], ext=["png", "pdf"])
        outputs.append(RESULTS + f"{dataset}/compare/importance_top.csv")
    if JERRELL:
        outputs.append(RESULTS + "miernyk/interval/jerrell_comparison.tex")
    return outputs


def comparison_tables(wildcards):
    return expand(RESULTS + "{dataset}/compare/tol-{tol}.csv", dataset=list(DATASETS), tol=TOLERANCES)


rule compare_table:
    input:
        point=RESULTS + "{dataset}/multipliers.csv",
        intervals=RESULTS + "{dataset}/interval/tol-{tol}.csv",
        stochastic=RESULTS + "{dataset}/stochastic/tol-{tol}.csv",
        diagnostics=RESULTS + "{dataset}/stochastic/tol-{tol}_diagnostics.csv",
    output:
        csv=report(RESULTS + "{dataset}/compare/tol-{tol}.csv", caption=REPORT_DIR + "compare_table.rst",
                   category="Comparison", subcategory="{dataset}", labels={"item": "ranges table", "tolerance": "{tol}"}),
        tex=RESULTS + "{dataset}/compare/tol-{tol}.tex",
    params:
        tex_sectors=COMPARE["tex_sectors"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        LOGS + "compare/{dataset}/tol-{tol}.log",
    benchmark:
        LOGS + "benchmarks/compare/{dataset}/tol-{tol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_table.py"


rule compare_summary:
    input:
        comparison_tables,
    output:
        csv=report(RESULTS + "summary/widths.csv", caption=REPORT_DIR + "summary_widths.rst",
                   category="Comparison", subcategory="all datasets", labels={"item": "width summary", "tolerance": "all"}),
        tex=RESULTS + "summary/widths.tex",
    params:
        datasets_tols=[[d, t] for d in DATASETS for t in TOLERANCES],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        LOGS + "compare/summary.log",
    benchmark:
        LOGS + "benchmarks/compare/summary.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_summary.py"


rule compare_importance_top:
    input:
        limits=RESULTS + f"{{dataset}}/importance/tol-{TOLERANCES[0]}.csv",
    output:
        report(RESULTS + "{dataset}/compare/importance_top.csv", caption=REPORT_DIR + "importance_top.rst",
               category="Importance", subcategory="{dataset}", labels={"item": "top coefficients", "tolerance": TOLERANCES[0]}),
    params:
        top_k=COMPARE["top_k"],
        max_factors=IMPORTANCE["salib"]["max_factors"],
        grouping=IMPORTANCE["salib"]["grouping"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        LOGS + "compare/{dataset}/importance_top.log",
    benchmark:
        LOGS + "benchmarks/compare/{dataset}/importance_top.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_importance_top.py"


rule jerrell_tex:
    input:
        jerrell=RESULTS + "miernyk/interval/jerrell_comparison.csv",
        comparisons=expand(RESULTS + "miernyk/compare/tol-{tol}.csv", tol=TOLERANCES),
    output:
        RESULTS + "miernyk/interval/jerrell_comparison.tex",
    params:
        tolerances=TOLERANCES,
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "compare/miernyk/jerrell_tex.log",
    benchmark:
        LOGS + "benchmarks/compare/miernyk/jerrell_tex.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/jerrell_tex.py"


rule plot_cross_family:
    input:
        comparison=RESULTS + "{dataset}/compare/tol-{tol}.csv",
        diagnostics=RESULTS + "{dataset}/stochastic/tol-{tol}_diagnostics.csv",
    output:
        png=report(RESULTS + "{dataset}/compare/tol-{tol}_ranges.png", caption=REPORT_DIR + "cross_family.rst",
                   category="Comparison", subcategory="{dataset}", labels={"item": "ranges figure", "tolerance": "{tol}"}),
        pdf=RESULTS + "{dataset}/compare/tol-{tol}_ranges.pdf",
    params:
        sectors=COMPARE["figure_sectors"],
        multipliers=COMPARE["figure_multipliers"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        LOGS + "report/{dataset}/ranges-tol-{tol}.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/ranges-tol-{tol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_cross_family.py"


rule plot_width_tolerance:
    input:
        RESULTS + "summary/widths.csv",
    output:
        png=report(RESULTS + "{dataset}/compare/widths.png", caption=REPORT_DIR + "width_tolerance.rst",
                   category="Comparison", subcategory="{dataset}", labels={"item": "width vs tolerance", "tolerance": "all"}),
        pdf=RESULTS + "{dataset}/compare/widths.pdf",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        LOGS + "report/{dataset}/compare-widths.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/compare-widths.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_width_tolerance.py"


rule plot_variance_share:
    input:
        RESULTS + "{dataset}/compare/importance_top.csv",
    output:
        png=report(RESULTS + "{dataset}/compare/variance_share.png", caption=REPORT_DIR + "variance_share.rst",
                   category="Importance", subcategory="{dataset}", labels={"item": "variance share vs k", "tolerance": TOLERANCES[0]}),
        pdf=RESULTS + "{dataset}/compare/variance_share.pdf",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "report/{dataset}/variance_share.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/variance_share.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_variance_share.py"


rule provenance:
    input:
        tables=lambda wildcards: [f for d in DATASETS for f in table_files_of(d)],
    output:
        report(RESULTS + "provenance.yaml", caption=REPORT_DIR + "provenance.rst", category="Provenance"),
    params:
        config=config,
        datasets={d: table_files_of(d) for d in DATASETS},
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "compare/provenance.log",
    benchmark:
        LOGS + "benchmarks/compare/provenance.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/provenance.py"
