# Satellite accounts (employment, emissions, value added): point quantities and footprint
# elasticities. The interval, stochastic and importance rules add the satellite quantities to
# their own result files (config key satellites).


rule extensions:
    input:
        table_files,
    output:
        results("{dataset}/extensions.csv"),
    params:
        table=table_source,
        satellites=SATELLITES,
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("satellites/{dataset}/extensions.log"),
    benchmark:
        logs("benchmarks/satellites/{dataset}/extensions.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/satellite_extensions.py"


rule elasticities:
    input:
        table_files,
    output:
        results("{dataset}/importance/elasticities.csv"),
    params:
        table=table_source,
        satellites=SATELLITES,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    log:
        logs("satellites/{dataset}/elasticities.log"),
    benchmark:
        logs("benchmarks/satellites/{dataset}/elasticities.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/satellite_elasticities.py"
