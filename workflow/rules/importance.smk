# Importance family (Hewings): tolerable limits, fields of influence, variance shares, SALib
# indices, zeroing experiments and the agreement between the importance rankings.


rule importance_table:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/importance/tol-{tol}.csv",
    params:
        table=table_source,
        settings=IMPORTANCE,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        LOGS + "importance/{dataset}/tol-{tol}.log",
    benchmark:
        LOGS + "benchmarks/importance/{dataset}/tol-{tol}.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_table.py"


rule importance_zeroing:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/importance/zeroing.csv",
    params:
        table=table_source,
        cutoffs=IMPORTANCE["zeroing_cutoffs"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        LOGS + "importance/{dataset}/zeroing.log",
    benchmark:
        LOGS + "benchmarks/importance/{dataset}/zeroing.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_zeroing.py"


rule importance_agreement:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/importance/ranking_agreement.csv",
    params:
        table=table_source,
        settings=IMPORTANCE,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        LOGS + "importance/{dataset}/ranking_agreement.log",
    benchmark:
        LOGS + "benchmarks/importance/{dataset}/ranking_agreement.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_agreement.py"


rule importance_counts:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/importance/counts.csv",
    params:
        table=table_source,
        settings=IMPORTANCE,
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        LOGS + "importance/{dataset}/counts.log",
    benchmark:
        LOGS + "benchmarks/importance/{dataset}/counts.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_counts.py"


rule importance_households:
    input:
        table_files,
    output:
        RESULTS + "{dataset}/importance/households.csv",
    params:
        table=table_source,
        settings=IMPORTANCE,
    threads: 1
    resources:
        mem_mb=job_mem_mb("importance"),
        runtime=job_runtime("importance"),
    log:
        LOGS + "importance/{dataset}/households.log",
    benchmark:
        LOGS + "benchmarks/importance/{dataset}/households.tsv"
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/importance_households.py"
