# Consumption-based footprints of datasets with satellite accounts (iouq.mrio): interval bounds
# with A, S and Y boxes, log-normal Monte Carlo (Lenzen et al. 2010), elasticities.


rule footprints:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/footprints/tol-{tol}.csv",
    params:
        table=table_source,
        settings=FOOTPRINTS,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    log:
        LOGS + "footprints/{dataset}/tol-{tol}.log",
    benchmark:
        LOGS + "benchmarks/footprints/{dataset}/tol-{tol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/footprints_table.py"


rule footprint_elasticities:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/footprints/elasticities.csv",
    params:
        table=table_source,
        settings=FOOTPRINTS,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    log:
        LOGS + "footprints/{dataset}/elasticities.log",
    benchmark:
        LOGS + "benchmarks/footprints/{dataset}/elasticities.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/footprint_elasticities.py"


rule plot_footprints:
    input:
        RESULTS + "{dataset}/footprints/tol-{tol}.csv",
    output:
        RESULTS + "{dataset}/footprints/tol-{tol}.png",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        LOGS + "report/{dataset}/footprints-tol-{tol}.log",
    benchmark:
        LOGS + "benchmarks/report/{dataset}/footprints-tol-{tol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_footprints.py"
