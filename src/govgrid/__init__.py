"""govgrid — a command platform for Chinese district governments (区级城市运行综合指挥平台)."""

__version__ = "0.1.0"
