# Comparison layer: the three families side by side (iouq.compare; figures: iouq.plotting), the
# LaTeX tables, the provenance record and the report annotations. Results under RESULTS, logs
# and benchmarks under LOGS; targets: comparison_outputs (workflow/rules/common.smk).

rule compare_table:
    input:
        point=RESULTS + "{dataset}/multipliers.csv",
        intervals=RESULTS + "{dataset}/interval/tol-{tol}.csv",
        stochastic=RESULTS + "{dataset}/stochastic/tol-{tol}.csv",
        diagnostics=RESULTS + "{dataset}/stochastic/tol-{tol}_diagnostics.csv",
    output:
        csv=report(RESULTS + "{dataset}/compare/tol-{tol}.csv", caption="../report/compare_table.rst",
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
        csv=report(RESULTS + "summary/widths.csv", caption="../report/summary_widths.rst",
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
        report(RESULTS + "{dataset}/compare/importance_top.csv", caption="../report/importance_top.rst",
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
        png=report(RESULTS + "{dataset}/compare/tol-{tol}_ranges.png", caption="../report/cross_family.rst",
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
        png=report(RESULTS + "{dataset}/compare/widths.png", caption="../report/width_tolerance.rst",
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
        png=report(RESULTS + "{dataset}/compare/variance_share.png", caption="../report/variance_share.rst",
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
        report(RESULTS + "provenance.yaml", caption="../report/provenance.rst", category="Provenance"),
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
