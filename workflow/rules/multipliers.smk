# Point multipliers (the reference every uncertainty method is compared with).


rule multipliers:
    input:
        table_files,
    output:
        results("{dataset}/multipliers.csv"),
    params:
        table=table_source,
    threads: 1
    resources:
        mem_mb=job_mem_mb("small"),
        runtime=job_runtime("small"),
    log:
        logs("multipliers/{dataset}.log"),
    benchmark:
        logs("benchmarks/multipliers/{dataset}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/multipliers.py"
