"""ReFrame configuration for hockney's checks: `local` runs ranks on this machine (local
scheduler, mpirun), `slurm` submits batch jobs to a SLURM cluster (ReFrame's Slurm backend
polling with squeue, srun --mpi=pmix). Copy it and describe your own cluster's partitions,
access options and reference values (hockney_checks.REFERENCES)."""

site_configuration = {
    "systems": [
        {
            "name": "local",
            "descr": "this machine: ranks under mpirun",
            "hostnames": [".*"],
            "partitions": [{
                "name": "default",
                "scheduler": "local",
                "launcher": "mpirun",
                "environs": ["builtin"],
                "max_jobs": 1,
            }],
        },
        {
            "name": "slurm",
            "descr": "a SLURM cluster: batch jobs, srun --mpi=pmix",
            "hostnames": [".*"],
            "partitions": [{
                "name": "debug",
                # squeue: Slurm without accounting (no slurmdbd) has no sacct to poll.
                "scheduler": "squeue",
                "launcher": "srun",
                "access": ["--partition=debug"],
                "environs": ["builtin"],
                "max_jobs": 1,
            }],
        },
    ],
    "environments": [{
        "name": "builtin",
        "cc": "cc",
        "cxx": "c++",
        # Open MPI refuses root unless told (CI runs as root); harmless otherwise.
        "env_vars": [["OMPI_ALLOW_RUN_AS_ROOT", "1"], ["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"]],
    }],
}
