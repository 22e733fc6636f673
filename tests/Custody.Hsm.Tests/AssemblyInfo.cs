using System.Runtime.Versioning;

// SoftHSM, its token directories and 0600 PIN files: these tests run on Linux.
[assembly: SupportedOSPlatform("linux")]

// One PKCS#11 module instance per process: HSM tests share one fixture and never run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
