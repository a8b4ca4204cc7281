# Importance family (Hewings): tolerable limits, fields of influence, variance shares, SALib
# indices, zeroing experiments and the agreement between the importance rankings.


rule importance_table:
    input:
        table_files,
    output:
        results("{dataset}/importance/tol-{tol}.csv"),
    params:
        table=table_source,
        settings=IMPORTANCE,
        seed=config["seed"],
        satellites=SATELLITES,
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        logs("importance/{dataset}/tol-{tol}.log"),
    benchmark:
        logs("benchmarks/importance/{dataset}/tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_table.py"


rule importance_zeroing:
    input:
        table_files,
    output:
        results("{dataset}/importance/zeroing.csv"),
    params:
        table=table_source,
        cutoffs=IMPORTANCE["zeroing_cutoffs"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        logs("importance/{dataset}/zeroing.log"),
    benchmark:
        logs("benchmarks/importance/{dataset}/zeroing.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_zeroing.py"


rule importance_agreement:
    input:
        table_files,
    output:
        results("{dataset}/importance/ranking_agreement.csv"),
    params:
        table=table_source,
        settings=IMPORTANCE,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        logs("importance/{dataset}/ranking_agreement.log"),
    benchmark:
        logs("benchmarks/importance/{dataset}/ranking_agreement.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_agreement.py"


rule importance_counts:
    input:
        table_files,
    output:
        results("{dataset}/importance/counts.csv"),
    params:
        table=table_source,
        settings=IMPORTANCE,
        satellites=SATELLITES,
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        logs("importance/{dataset}/counts.log"),
    benchmark:
        logs("benchmarks/importance/{dataset}/counts.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_counts.py"


rule importance_households:
    input:
        table_files,
    output:
        results("{dataset}/importance/households.csv"),
    params:
        table=table_source,
        settings=IMPORTANCE,
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        logs("importance/{dataset}/households.log"),
    benchmark:
        logs("benchmarks/importance/{dataset}/households.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_households.py"
