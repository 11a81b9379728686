from policyflows.cli import main

main()
