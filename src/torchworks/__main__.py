from torchworks.cli import main

raise SystemExit(main())
