#include <QTest>
class Tst_params : public QObject { Q_OBJECT private slots: void placeholder() {} };
QTEST_GUILESS_MAIN(Tst_params)
#include "tst_params.moc"
