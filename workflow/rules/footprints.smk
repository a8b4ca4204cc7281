# Consumption-based footprints of datasets with satellite accounts (iouq.mrio): interval bounds
# with A, S and Y boxes, log-normal Monte Carlo (Lenzen et al. 2010), elasticities.


rule footprints:
    input:
        table_files,
    output:
        results("{dataset}/footprints/tol-{tol}.csv"),
    params:
        table=table_source,
        settings=FOOTPRINTS,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    log:
        logs("footprints/{dataset}/tol-{tol}.log"),
    benchmark:
        logs("benchmarks/footprints/{dataset}/tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/footprints_table.py"


rule footprint_elasticities:
    input:
        table_files,
    output:
        results("{dataset}/footprints/elasticities.csv"),
    params:
        table=table_source,
        settings=FOOTPRINTS,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    log:
        logs("footprints/{dataset}/elasticities.log"),
    benchmark:
        logs("benchmarks/footprints/{dataset}/elasticities.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/footprint_elasticities.py"


# One job per dataset draws the figure of every tolerance (png_<k>: tolerance k of TOLERANCES,
# each in the report with its own tolerance label).
rule plot_footprints:
    input:
        per_tolerance(results("{dataset}/footprints/tol-{tol}.csv")),
    output:
        **per_tolerance_outputs("png", results("{dataset}/footprints/tol-{tol}.png"),
                                              caption="../report/footprints.rst", category="Footprints",
                                              subcategory="{dataset}", labels={"item": "footprint ranges"}),
    params:
        tolerances=TOLERANCES,
    threads: 1
    resources:
        mem_mb=500,
        runtime=job_runtime("figures"),
    log:
        logs("report/{dataset}/footprints.log"),
    benchmark:
        logs("benchmarks/report/{dataset}/footprints.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_footprints.py"
