# Comparison layer: the three families side by side (iouq.compare; figures: iouq.plotting), the
# LaTeX tables, the provenance record and the report annotations. Results under RESULTS, logs
# and benchmarks under LOGS; targets: comparison_outputs (workflow/rules/common.smk).

rule compare_table:
    input:
        point=results("{dataset}/multipliers.csv"),
        intervals=results("{dataset}/interval/tol-{tol}.csv"),
        stochastic=results("{dataset}/stochastic/tol-{tol}.csv"),
        diagnostics=results("{dataset}/stochastic/tol-{tol}_diagnostics.csv"),
        extensions=satellite_extensions,
    output:
        csv=report(results("{dataset}/compare/tol-{tol}.csv"), caption="../report/compare_table.rst",
                   category="Comparison", subcategory="{dataset}", labels={"item": "ranges table", "tolerance": "{tol}"}),
        tex=results("{dataset}/compare/tol-{tol}.tex"),
    params:
        tex_sectors=COMPARE["tex_sectors"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        logs("compare/{dataset}/tol-{tol}.log"),
    benchmark:
        logs("benchmarks/compare/{dataset}/tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_table.py"


rule compare_summary:
    input:
        comparison_tables,
    output:
        csv=report(results("summary/widths.csv"), caption="../report/summary_widths.rst",
                   category="Comparison", subcategory="all datasets", labels={"item": "width summary", "tolerance": "all"}),
        tex=results("summary/widths.tex"),
    params:
        datasets_tols=[[d, t] for d in DATASETS for t in TOLERANCES],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        logs("compare/summary.log"),
    benchmark:
        logs("benchmarks/compare/summary.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_summary.py"


rule compare_importance_top:
    input:
        limits=results(f"{{dataset}}/importance/tol-{TOLERANCES[0]}.csv"),
    output:
        report(results("{dataset}/compare/importance_top.csv"), caption="../report/importance_top.rst",
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
        logs("compare/{dataset}/importance_top.log"),
    benchmark:
        logs("benchmarks/compare/{dataset}/importance_top.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_importance_top.py"


rule jerrell_tex:
    input:
        jerrell=results("miernyk/interval/jerrell_comparison.csv"),
        comparisons=expand(results("miernyk/compare/tol-{tol}.csv"), tol=TOLERANCES),
    output:
        results("miernyk/interval/jerrell_comparison.tex"),
    params:
        tolerances=TOLERANCES,
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("compare/miernyk/jerrell_tex.log"),
    benchmark:
        logs("benchmarks/compare/miernyk/jerrell_tex.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/jerrell_tex.py"


# One job per dataset draws the figure of every tolerance (png_<k>, pdf_<k>: tolerance k of
# TOLERANCES; each PNG in the report with its own tolerance label).
rule plot_cross_family:
    input:
        comparison=per_tolerance(results("{dataset}/compare/tol-{tol}.csv")),
        diagnostics=per_tolerance(results("{dataset}/stochastic/tol-{tol}_diagnostics.csv")),
    output:
        **per_tolerance_outputs("png", results("{dataset}/compare/tol-{tol}_ranges.png"),
                                              caption="../report/cross_family.rst", category="Comparison",
                                              subcategory="{dataset}", labels={"item": "ranges figure"}),
        **per_tolerance_outputs("pdf", results("{dataset}/compare/tol-{tol}_ranges.pdf")),
    params:
        tolerances=TOLERANCES,
        sectors=COMPARE["figure_sectors"],
        multipliers=COMPARE["figure_multipliers"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=job_runtime("figures"),
    log:
        logs("report/{dataset}/ranges.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/ranges.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_cross_family.py"


rule plot_width_tolerance:
    input:
        results("summary/widths.csv"),
    output:
        png=report(results("{dataset}/compare/widths.png"), caption="../report/width_tolerance.rst",
                   category="Comparison", subcategory="{dataset}", labels={"item": "width vs tolerance", "tolerance": "all"}),
        pdf=results("{dataset}/compare/widths.pdf"),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        logs("report/{dataset}/compare-widths.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/compare-widths.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_width_tolerance.py"


rule plot_variance_share:
    input:
        results("{dataset}/compare/importance_top.csv"),
    output:
        png=report(results("{dataset}/compare/variance_share.png"), caption="../report/variance_share.rst",
                   category="Importance", subcategory="{dataset}", labels={"item": "variance share vs k", "tolerance": TOLERANCES[0]}),
        pdf=results("{dataset}/compare/variance_share.pdf"),
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("report/{dataset}/variance_share.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/variance_share.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_variance_share.py"


rule provenance:
    input:
        tables=lambda wildcards: [f for d in DATASETS for f in table_files_of(d)],
    output:
        report(results("provenance.yaml"), caption="../report/provenance.rst", category="Provenance"),
    params:
        config=config,
        datasets={d: table_files_of(d) for d in DATASETS},
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("compare/provenance.log"),
    benchmark:
        logs("benchmarks/compare/provenance.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/provenance.py"
