# Dynamic input-output model (Johnson's DS/IO; Fuentes & Martinez Pellegrini 2021): paths of the
# paper's experiment, dynamic vs static vs long-run multipliers with interval hulls and Monte
# Carlo bands, importance, and the figure. Functions and checks: dynamic_common.smk.


rule dynamic_paths:
    input:
        dyn_table_files,
    output:
        results("{dyn}/dynamic/paths.csv"),
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
    params:
        table=lambda wc: DYN_DATASETS[wc.dyn],
        scenario=lambda wc: DYN_SCENARIOS[wc.dyn],
        engine=DYNAMIC["engine"] if DYNAMIC else "euler",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("dynamic/{dyn}/paths.log"),
    benchmark:
        logs("benchmarks/dynamic/{dyn}/paths.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/dynamic_paths.py"


rule dynamic_multipliers:
    input:
        dyn_table_files,
    output:
        table=results("{dyn}/dynamic/multipliers_tol-{dtol}.csv"),
        bands=results("{dyn}/dynamic/bands_tol-{dtol}.csv"),
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
        dtol="|".join(re.escape(t) for t in (DYNAMIC["tolerances"] if DYNAMIC else [])) or "NONE",
    params:
        table=lambda wc: DYN_DATASETS[wc.dyn],
        scenario=lambda wc: DYN_SCENARIOS[wc.dyn],
        settings=DYNAMIC,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    log:
        logs("dynamic/{dyn}/multipliers_tol-{dtol}.log"),
    benchmark:
        logs("benchmarks/dynamic/{dyn}/multipliers_tol-{dtol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/dynamic_multipliers.py"


rule plot_dynamic:
    input:
        table=results("{dyn}/dynamic/multipliers_tol-{dtol}.csv"),
        bands=results("{dyn}/dynamic/bands_tol-{dtol}.csv"),
    output:
        report(
            results("{dyn}/dynamic/multipliers_tol-{dtol}.png"),
            caption="../report/dynamic.rst",
            category="Dynamic model",
        ),
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
        dtol="|".join(re.escape(t) for t in (DYNAMIC["tolerances"] if DYNAMIC else [])) or "NONE",
    params:
        tol=lambda wc: wc.dtol,
        table=lambda wc: DYN_DATASETS[wc.dyn],
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("dynamic/{dyn}/plot_tol-{dtol}.log"),
    benchmark:
        logs("benchmarks/dynamic/{dyn}/plot_tol-{dtol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_dynamic.py"


rule dynamic_importance:
    input:
        dyn_table_files,
    output:
        results("{dyn}/dynamic/importance.csv"),
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
    params:
        table=lambda wc: DYN_DATASETS[wc.dyn],
        scenario=lambda wc: DYN_SCENARIOS[wc.dyn],
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("dynamic/{dyn}/importance.log"),
    benchmark:
        logs("benchmarks/dynamic/{dyn}/importance.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/dynamic_importance.py"


rule compare_dynamic:
    input:
        results("{dyn}/dynamic/multipliers_tol-{dtol}.csv"),
    output:
        report(
            results("{dyn}/compare/dynamic_tol-{dtol}.csv"),
            caption="../report/compare_dynamic.rst",
            category="Comparison",
            subcategory="{dyn}",
            labels={"item": "dynamic multipliers", "tolerance": "{dtol}"},
        ),
    wildcard_constraints:
        dyn="|".join(re.escape(d) for d in DYN_DATASETS) or "NONE",
        dtol="|".join(re.escape(t) for t in (DYNAMIC["tolerances"] if DYNAMIC else [])) or "NONE",
    params:
        distribution=DYNAMIC["distribution"] if DYNAMIC else "uniform",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("compare/{dyn}/dynamic_tol-{dtol}.log"),
    benchmark:
        logs("benchmarks/compare/{dyn}/dynamic_tol-{dtol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/compare_dynamic.py"
