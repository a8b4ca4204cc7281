# Stochastic family (West 1986; ten Raa & Steel 1994): moments, quantiles and densities of every
# multiplier when the coefficients are random with a spread tied to the tolerance.


rule stochastic_table:
    input:
        table_files,
    output:
        summary=results("{dataset}/stochastic/tol-{tol}.csv"),
        densities=results("{dataset}/stochastic/tol-{tol}_densities.csv"),
        diagnostics=results("{dataset}/stochastic/tol-{tol}_diagnostics.csv"),
    params:
        table=table_source,
        settings=STOCHASTIC,
        seed=config["seed"],
        satellites=SATELLITES,
    # the longest jobs of a run: start them first, so that the short ones fill the other core
    # instead of one long job running alone at the end
    priority: 10
    threads: 1
    resources:
        mem_mb=job_mem_mb("stochastic"),
        runtime=job_runtime("stochastic"),
    log:
        logs("stochastic/{dataset}/tol-{tol}.log"),
    benchmark:
        logs("benchmarks/stochastic/{dataset}/tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/stochastic_table.py"
