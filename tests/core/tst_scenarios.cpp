#include <QTest>
class Tst_scenarios : public QObject { Q_OBJECT private slots: void placeholder() {} };
QTEST_GUILESS_MAIN(Tst_scenarios)
#include "tst_scenarios.moc"
