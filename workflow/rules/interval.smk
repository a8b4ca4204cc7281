# Interval family: enclosures of the multipliers when every coefficient is known to within ±tol.


rule interval_table:
    input:
        table_files,
    output:
        results("{dataset}/interval/tol-{tol}.csv"),
    params:
        table=table_source,
        methods=INTERVAL_METHODS,
        satellites=SATELLITES,
    threads: 1
    resources:
        mem_mb=job_mem_mb("interval"),
        runtime=job_runtime("interval"),
    log:
        logs("interval/{dataset}/tol-{tol}.log"),
    benchmark:
        logs("benchmarks/interval/{dataset}/tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/interval_table.py"


rule jerrell_comparison:
    input:
        table=table_files_of("miernyk") if JERRELL else [],
        published=jerrell_published(),
    output:
        results("miernyk/interval/jerrell_comparison.csv"),
    params:
        table="miernyk",
    threads: 1
    resources:
        mem_mb=job_mem_mb("interval"),
        runtime=job_runtime("interval"),
    log:
        logs("interval/miernyk/jerrell_comparison.log"),
    benchmark:
        logs("benchmarks/interval/miernyk/jerrell_comparison.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/jerrell_comparison.py"
