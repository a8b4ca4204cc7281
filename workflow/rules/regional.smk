# Regional tables by location quotients (iouq.regional): the regional table of every configured
# region (a dataset of its own, so the three families run on it), the side-by-side comparison of
# the LQ methods and the uncertainty of delta (exact bounds, Monte Carlo).


wildcard_constraints:
    region="|".join(re.escape(r) for r in REGIONS) or "(?!x)x",


rule regional_table:
    input:
        regional_inputs,
    output:
        yaml=results("{region}/regional/table/table.yaml"),
        A=results("{region}/regional/table/A.csv"),
    params:
        entry=regional_entry,
        delta=REGIONAL["delta"],
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("regional/{region}/table.log"),
    benchmark:
        logs("benchmarks/regional/{region}/table.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/regional_table.py"


rule lq_comparison:
    input:
        regional_inputs,
    output:
        results("{region}/regional/lq_comparison.csv"),
    params:
        entry=regional_entry,
        settings=REGIONAL,
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("regional/{region}/lq_comparison.log"),
    benchmark:
        logs("benchmarks/regional/{region}/lq_comparison.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/regional_comparison.py"


rule regional_delta:
    input:
        regional_inputs,
    output:
        results("{region}/regional/delta_tol-{tol}.csv"),
    params:
        entry=regional_entry,
        settings=REGIONAL,
        seed=config["seed"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    log:
        logs("regional/{region}/delta_tol-{tol}.log"),
    benchmark:
        logs("benchmarks/regional/{region}/delta_tol-{tol}.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/regional_delta.py"


rule plot_lq_comparison:
    input:
        results("{region}/regional/lq_comparison.csv"),
    output:
        report(results("{region}/regional/lq_comparison.png"), caption="../report/lq_comparison.rst",
               category="Regional", subcategory="{region}", labels={"item": "location quotients", "tolerance": "all"}),
    params:
        settings=REGIONAL,
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    log:
        logs("report/{region}/lq_comparison.log"),
    benchmark:
        logs("benchmarks/report/{region}/lq_comparison.tsv")
    conda:
        "../envs/iouq.yaml"
    script:
        "../scripts/plot_lq_comparison.py"
